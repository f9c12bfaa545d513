"""One worker of two is lost mid-training: the survivor must not wait forever in a
collective. It stops within a stated time, with exit code 3 and a message naming the
lost worker and its address, and running both workers again resumes from the last
checkpoint and finishes.

The two workers run at different addresses in two network namespaces joined by a veth
pair (``ip netns``, as root, which CI is), so what crosses between them is real TCP, not
loopback. Where namespaces cannot be made, the workers use loopback and the test says so
in a warning.

Two ways of being lost:
- killed (SIGKILL): TensorFlow's coordination service sees the heartbeats stop;
- hung, alive (a stalled input pipeline: heartbeats go on): only the collective
  timeout (``CommunicationOptions(timeout_seconds=...)``) ends the survivor's wait.
"""

import os
import shutil
import signal
import subprocess
import time
import warnings

import pytest
from _cluster import free_ports, launch, wait_all

EPOCHS = 12  # enough 4-step epochs that a kill lands inside training, not after it
#: the survivor of a killed worker stops within this many seconds (measured: 3-19 s,
#: TensorFlow's heartbeat timeout plus the step in flight)
LOST_WITHIN = 60
COLLECTIVE_TIMEOUT = 20  # seconds, for the hung-worker test (a first step traces in a few)
ADDRESSES = ("10.231.0.1", "10.231.0.2")
PORT = 23456


def _ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def network():
    """(command prefix of each worker, its address): two namespaces joined by veth, or
    loopback with a warning where they cannot be made."""
    tag = f"{os.getpid() % 100000}"
    names, links = [f"mwt{tag}n{i}" for i in range(2)], [f"mwt{tag}v{i}" for i in range(2)]
    steps = [("netns", "add", names[0]), ("netns", "add", names[1]),
             ("link", "add", links[0], "type", "veth", "peer", "name", links[1])]
    for i in range(2):
        steps += [("link", "set", links[i], "netns", names[i]),
                  ("-n", names[i], "addr", "add", f"{ADDRESSES[i]}/24", "dev", links[i]),
                  ("-n", names[i], "link", "set", "lo", "up"),
                  ("-n", names[i], "link", "set", links[i], "up")]
    failure = None if shutil.which("ip") else "no `ip` command (Debian's iproute2)"
    for step in steps if failure is None else []:
        done = _ip(*step)
        if done.returncode != 0:
            failure = f"`ip {' '.join(step)}` failed: {done.stderr.strip()}"
            break
    if failure is None:
        yield [(("ip", "netns", "exec", names[i]), f"{ADDRESSES[i]}:{PORT}") for i in range(2)]
    else:
        warnings.warn(f"network namespaces could not be made ({failure}); the two workers "
                      "run on loopback instead", stacklevel=1)
        yield [((), f"127.0.0.1:{port}") for port in free_ports(2)]
    for name in names:
        _ip("netns", "delete", name)  # deletes its end of the veth pair, and so both


def _start(tmp_path, name, network, epochs, env_of=lambda index: {}):
    cluster = {"worker": [address for _, address in network]}
    processes = []
    for index, (prefix, _) in enumerate(network):
        scratch = tmp_path / f"{name}-tmp{index}"
        scratch.mkdir(exist_ok=True)
        config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        processes.append(launch(tmp_path / name, tmp_path / f"{name}-weights{index}.npz",
                                scratch, epochs, tf_config=config, prefix=prefix,
                                extra_env=env_of(index)))
    return processes


def _wait_for(path, processes, limit=240):
    deadline = time.monotonic() + limit
    while not path.exists():
        assert all(p.poll() is None for p in processes), wait_all(processes)
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.02)


def _stopped_within(process, seconds):
    """(exit code, output, seconds taken) of ``process``, killed after ``seconds``."""
    started = time.monotonic()
    try:
        output, _ = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        return None, output, time.monotonic() - started
    return process.returncode, output, time.monotonic() - started


def _checkpoints(run_dir):
    return sorted(p.name for p in (run_dir / "checkpoints").iterdir() if p.name.startswith("ckpt-"))


# The chief killed instead (worker 1 survives, TensorFlow names task 0 through a closed
# socket: 3.3 s measured) passed here too; it is left out for the suite's time, and its
# message is parsed from that run's text in tests/test_distribute.py.
@pytest.mark.parametrize("victim", [1], ids=["worker-killed"])
def test_a_killed_worker_stops_the_survivor_with_its_name_and_a_rerun_resumes(
        tmp_path, network, victim):
    processes = _start(tmp_path, "run", network, EPOCHS)
    _wait_for(tmp_path / "run" / "checkpoints" / "ckpt-000002", processes)
    processes[victim].send_signal(signal.SIGKILL)  # mid-step: epochs follow back to back
    processes[victim].wait()
    code, output, seconds = _stopped_within(processes[1 - victim], LOST_WITHIN)
    assert code == 3, f"survivor: exit {code} after {seconds:.0f} s\n{output}"
    lost_address = network[victim][1]
    assert f"worker {victim} ({lost_address}) stopped answering" in output, output
    assert "Rerun the same command on every worker" in output
    assert "Traceback" not in output

    # both again: each resumes from the chief's last checkpoint and finishes (that such a
    # resume ends at an uninterrupted run's weights: tests/test_multiworker.py)
    last = _checkpoints(tmp_path / "run")[-1]
    outputs = wait_all(_start(tmp_path, "run", network, EPOCHS))
    assert [c for c, _ in outputs] == [0, 0], outputs
    epoch = int(last.split("-")[1])
    assert all(f"{last}, epochs {epoch}->{EPOCHS}" in out for _, out in outputs), outputs
    rows = (tmp_path / "run" / "history.csv").read_text().splitlines()[1:]
    assert [int(row.split(",")[0]) for row in rows] == list(range(1, EPOCHS + 1))


def test_a_hung_worker_stops_the_survivor_after_the_collective_timeout(tmp_path, network):
    # worker 1 hangs alive as epoch 3 begins; its heartbeats go on, so only the collective
    # timeout ends worker 0's wait
    processes = _start(tmp_path, "hung", network, EPOCHS, lambda index: {
        "COLLECTIVE_TIMEOUT": str(COLLECTIVE_TIMEOUT), **({"HANG_AFTER": "2"} if index else {})})
    try:
        _wait_for(tmp_path / "hung" / "checkpoints" / "ckpt-000002", processes)
        started = time.monotonic()
        code, output, _ = _stopped_within(processes[0], COLLECTIVE_TIMEOUT + LOST_WITHIN)
        seconds = time.monotonic() - started
    finally:
        processes[1].kill()
        hung_output = processes[1].communicate()[0]
    assert "hanging as epoch 3 begins" in hung_output
    assert code == 3, f"survivor: exit {code} after {seconds:.0f} s\n{output}"
    assert f"a collective did not complete within {COLLECTIVE_TIMEOUT} s" in output, output
    assert f"worker 1 ({network[1][1]}) hung or died" in output
    assert seconds >= COLLECTIVE_TIMEOUT - 1  # it waited the timeout, not less
