"""Seconds of InstanceNorm, forward and backward: ``keras.layers.GroupNormalization
(groups=-1)`` (what the MITLGAN head uses) against per-channel moments written out
(``tf.nn.moments`` over H and W, then scale and shift), on one head-sized activation.

The question it answers (issue 24, item 3): is the head's normalisation worth
replacing? One timed step is ``--repeats`` forward+backward passes of one compiled
function; both variants compute the same values (the largest difference is printed).
Timing: ``benchmarks/_timing.py``.

Usage::

    python benchmarks/instance_norm.py                # (32, 64, 64, 16), 10 passes per step
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _timing import (  # noqa: E402
    Output,
    add_json_argument,
    add_steps_argument,
    machine_line,
    report_epochs,
    time_interleaved,
)

EPSILON = 1e-3  # GroupNormalization's default


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", default="32,64,64,16", help="B,H,W,C of the activation")
    parser.add_argument("--repeats", type=int, default=10, help="passes per timed step")
    add_steps_argument(parser)
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    shape = tuple(int(v) for v in args.shape.split(","))
    x = tf.random.normal(shape, seed=0)
    layer = keras.layers.GroupNormalization(groups=-1, epsilon=EPSILON)
    layer.build(x.shape)

    def moments(v):
        mean, variance = tf.nn.moments(v, axes=[1, 2], keepdims=True)
        return (v - mean) * tf.math.rsqrt(variance + EPSILON) * layer.gamma + layer.beta

    def passes(normalise):
        @tf.function
        def forward_backward():
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = normalise(x)
                loss = tf.reduce_sum(y * y)
            return tape.gradient(loss, [x, layer.gamma, layer.beta])[0]

        return lambda: [forward_backward().numpy() for _ in range(args.repeats)]

    difference = float(np.max(np.abs(layer(x).numpy() - moments(x).numpy())))
    out.say(f"{machine_line()}; activation {shape}, {args.repeats} forward+backward passes per "
            f"step; largest difference of the outputs {difference:.1e}")
    reference = "GroupNormalization(groups=-1)"
    timings = time_interleaved({reference: passes(layer), "tf.nn.moments, written out":
                                passes(moments)}, args.steps, say=out.say)
    report_epochs(out, "instance_norm", timings, reference, unit=f"s/{args.repeats} passes")


if __name__ == "__main__":
    main()
