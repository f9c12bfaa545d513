"""Two-worker clusters for the multi-worker tests: free ports, launching the worker
program (tests/_multiworker_helper.py) with its TF_CONFIG, optionally inside a network
namespace, waiting with a timeout, and comparing the weights the workers saved."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np

HELPER = Path(__file__).with_name("_multiworker_helper.py")
TIMEOUT = 300


def free_ports(count):
    """``count`` loopback ports free at the time of asking."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def launch(run_dir, weights, scratch, epochs, crash_after=None, tf_config=None, prefix=(),
           extra_env=None):
    """Start the worker program; ``prefix`` goes before the command (``ip netns exec
    NS``), ``extra_env`` into its environment."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update(TMPDIR=str(scratch), PYTHONPATH=str(HELPER.parent), **(extra_env or {}))
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    command = [*prefix, sys.executable, str(HELPER), str(run_dir), str(weights), str(epochs)]
    command += [str(crash_after)] if crash_after else []
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def wait_all(processes, timeout=TIMEOUT):
    """(exit code, output) of every process; all are killed on a timeout."""
    results = []
    try:
        for process in processes:
            output, _ = process.communicate(timeout=timeout)
            results.append((process.returncode, output))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results


def weights(path):
    with np.load(path) as data:
        return [data[k].astype("float64") for k in sorted(data.files, key=lambda k: int(k[4:]))]


def max_difference(a, b):
    """The largest absolute difference between two saved weight files."""
    return max(float(np.max(np.abs(x - y))) for x, y in zip(weights(a), weights(b)))
