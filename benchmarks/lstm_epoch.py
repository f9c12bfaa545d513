"""Seconds per epoch of document 002's equation-built LSTM cell against ``keras.layers.LSTM``.

Both classify palindromes of length T (input T - 1 digits) with hidden 128, batch 128,
Adam(1e-3, global clipnorm 10): ``mitlgan.models.recurrent.EquationLSTMCell`` in a
``keras.layers.RNN``, and Keras's fused LSTM layer (on a CPU no cuDNN kernel exists, so
it runs its generic implementation). One timed step is one epoch over the training
palindromes. Timing: ``benchmarks/_timing.py``.

Usage::

    python benchmarks/lstm_epoch.py                  # T = 20, 8,000 training palindromes
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from _floor import FLOOR, matmul_floor  # noqa: E402
from _timing import (  # noqa: E402
    Output,
    add_json_argument,
    add_steps_argument,
    machine_line,
    report_epochs,
    say_ceiling,
    time_interleaved,
)

from mitlgan.data.palindrome import palindrome_data  # noqa: E402
from mitlgan.flops import graph_flops  # noqa: E402
from mitlgan.models.recurrent import build_palindrome_classifier  # noqa: E402
from mitlgan.training import SMALL_MODEL_STEPS_PER_EXECUTION as SPE  # noqa: E402


def keras_lstm(input_length, hidden, unroll=False):
    digits = keras.Input((input_length, 1))
    lstm = keras.layers.LSTM(hidden, unroll=unroll)
    return keras.Model(digits, keras.layers.Dense(10)(lstm(digits)))


def reference_work(input_length, hidden, examples, batch_size):
    """What one epoch of the reference must compute, read from the loss and gradients of
    an unrolled ``keras.layers.LSTM`` (a loop's body would be read once), traced not run:
    (profiler FLOPs per epoch, the epoch's matrix products alone as a timed floor,
    ``benchmarks/_floor.py``). The optimizer's update (elementwise, 67k weights) is left
    out of both."""
    model = keras_lstm(input_length, hidden, unroll=True)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def gradients(digits, labels):
        with tf.GradientTape() as tape:
            value = loss(labels, model(digits, training=True))
        return tape.gradient(value, model.trainable_variables)

    specs = (tf.TensorSpec((batch_size, input_length, 1), tf.float32),
             tf.TensorSpec((batch_size,), tf.int32))
    batches = -(-examples // batch_size)
    floor, _ = matmul_floor(gradients, *specs, repeats=batches)
    return graph_flops(gradients, *specs) * batches, floor


def epoch(model, data, batch_size, steps_per_execution=1, jit_compile=False):
    model.compile(keras.optimizers.Adam(1e-3, global_clipnorm=10.0),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  steps_per_execution=steps_per_execution, jit_compile=jit_compile)
    return lambda: model.fit(data.x_train, data.y_train, batch_size=batch_size, epochs=1,
                             verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, default=20, help="palindrome length T")
    parser.add_argument("--data-size", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    add_steps_argument(parser, "timed epochs per variant")
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    data = palindrome_data(args.length, args.data_size)
    out.say(f"{machine_line()}; palindromes {data.description}, hidden {args.hidden}, batch "
            f"{args.batch_size}, {args.steps} timed epochs per variant in interleaved rounds")
    flops, floor = reference_work(args.length - 1, args.hidden, len(data.x_train),
                                  args.batch_size)
    ceiling = say_ceiling(out, "one epoch", flops)
    keras.utils.set_random_seed(0)
    reference = "keras.layers.LSTM"
    timings = time_interleaved({
        reference: epoch(keras_lstm(args.length - 1, args.hidden), data, args.batch_size),
        "EquationLSTMCell in keras.layers.RNN": epoch(
            build_palindrome_classifier("lstm", args.length - 1, args.hidden), data,
            args.batch_size),
        f"the same, {SPE} steps per call": epoch(
            build_palindrome_classifier("lstm", args.length - 1, args.hidden), data,
            args.batch_size, SPE),
        f"the same, unrolled, {SPE} steps per call": epoch(
            build_palindrome_classifier("lstm", args.length - 1, args.hidden, unroll=True), data,
            args.batch_size, SPE),
        f"the same, XLA, {SPE} steps per call": epoch(
            build_palindrome_classifier("lstm", args.length - 1, args.hidden), data,
            args.batch_size, SPE, jit_compile=True),
        FLOOR: floor,
    }, args.steps, say=out.say)
    report_epochs(out, "lstm_epoch", timings, reference, flops=flops, ceiling=ceiling)


if __name__ == "__main__":
    main()
