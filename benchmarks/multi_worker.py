"""Images per second of one process against two workers (MultiWorkerMirroredStrategy
over 127.0.0.1) training the quick preset's WGAN-GP on the same global batch.

Both topologies run in one invocation of this script, one after the other (they cannot
be interleaved step by step: one is a single process, the other a pair of processes
that synchronise every step). Each process times its own steps with a Keras callback:
one untimed warm-up step, then ``--steps`` timed steps; the chief's median is reported.
On a machine with fewer cores than workers x threads there is no speed-up to expect;
the figure then shows what the collectives (an all-reduce of every gradient per
update, n_critic + 1 updates per step) and the halved per-process batch cost.

Usage::

    python benchmarks/multi_worker.py              # 8 timed steps, batch 32
    python benchmarks/multi_worker.py --steps 12 --batch-size 64
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package
from _timing import (  # noqa: E402
    Output,
    Row,
    add_json_argument,
    add_steps_argument,
    machine_line,
)


def _worker(batch_size, steps, out_path):
    """One process: build under its strategy, train warm-up + steps, write the times."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from mitlgan.distribute import make_strategy

    strategy = make_strategy("multi-worker" if os.environ.get("TF_CONFIG") else "one")
    import keras
    import numpy as np

    import mitlgan
    from mitlgan.models import build_wgan_critic, build_wgan_generator
    from mitlgan.training import training_dataset

    class StepTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_train_batch_begin(self, batch, logs=None):
            self.started = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.seconds.append(time.perf_counter() - self.started)

    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = mitlgan.WGANGP(build_wgan_generator(2048, 32),
                             build_wgan_critic(32, channels=(16, 32, 64, 128)), n_critic=5,
                             seed=0)
        gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (batch_size * (steps + 1), 32, 32, 3))
    timer = StepTimer()
    gan.fit(training_dataset(gan, images.astype("float32"), batch_size, 1, 0, 0), epochs=1,
            steps_per_epoch=steps + 1, callbacks=[timer], verbose=0, shuffle=False)
    Path(out_path).write_text(json.dumps({"seconds": timer.seconds[1:],
                                          "first": timer.seconds[0],
                                          "replicas": strategy.num_replicas_in_sync}))


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _launch(args, out_path, tf_config=None):
    env = dict(os.environ)
    env.pop("TF_CONFIG", None)
    if tf_config:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return subprocess.Popen([sys.executable, __file__, "--worker", str(out_path),
                             "--batch-size", str(args.batch_size), "--steps", str(args.steps)],
                            env=env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=32)
    add_steps_argument(parser, "timed train_steps per topology")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)
    if args.worker:
        _worker(args.batch_size, args.steps, args.worker)
        return
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"multi_worker_benchmark_{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    out.say(f"{machine_line()}; quick-preset WGAN-GP (32x32, latent 2048, critic 16-128, "
            f"n_critic 5), global batch {args.batch_size}, {args.steps} timed steps")
    results = {}
    process = _launch(args, scratch / "one.json")
    process.wait(timeout=1800)
    results["one process"] = json.loads((scratch / "one.json").read_text())
    cluster = {"worker": [f"127.0.0.1:{p}" for p in _free_ports(2)]}
    pair = [_launch(args, scratch / f"worker{i}.json",
                    {"cluster": cluster, "task": {"type": "worker", "index": i}})
            for i in range(2)]
    for process in pair:
        process.wait(timeout=1800)
    results["two workers"] = json.loads((scratch / "worker0.json").read_text())
    reference = statistics.median(results["one process"]["seconds"])
    out.say(f"  {'topology':12s} {'replicas':>8s} {'img/s':>7s} {'step s (min-max)':>18s} "
            f"{'vs one':>7s} {'1st step s':>10s}")
    for name, result in results.items():
        median = statistics.median(result["seconds"])
        spread = f"{median:.3f} ({min(result['seconds']):.3f}-{max(result['seconds']):.3f})"
        out.say(f"  {name:12s} {result['replicas']:8d} {args.batch_size / median:7.1f} "
                f"{spread:>18s} {reference / median:6.2f}x {result['first']:10.1f}")
        out.rows([Row("multi_worker", name, "s/train_step", median, min(result["seconds"]),
                      max(result["seconds"]), "one process", reference / median)])


if __name__ == "__main__":
    main()
