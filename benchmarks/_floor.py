"""The matmul floor of a step: its graph's matrix products alone, timed.

A step of a small dense model (document 002's MLP GAN, the palindrome LSTM) cannot run
faster than the matrix products it has to do, at the shapes it does them: a batch-64
product reaches a smaller share of the machine than the 2048^3 one that sets the
ceiling. :func:`matmul_floor` reads every ``MatMul`` / ``BatchMatMulV2`` of a traced
step graph (forward and backward), with its operand shapes and transposes, and builds
one ``tf.function`` that does just those products on fixed random operands, all
independent of each other (so the two cores may overlap them, which a real step's
chain of dependent products cannot). Timed beside the step, it is an optimistic floor:
reference time / floor time bounds how much faster any float32 implementation of the
same products with TensorFlow's default kernels could be on this machine (XLA's own dot
kernels are another matter: they can beat it, see docs/performance.md).
"""

from __future__ import annotations

import tensorflow as tf

MATMUL_OPS = ("MatMul", "BatchMatMulV2", "BatchMatMulV3")
# The floor's row label: its ratio to the reference bounds a float32 speed-up.
FLOOR = "the reference's matrix products alone (floor)"


def step_matmuls(function, *input_specs) -> list[tuple[tuple, tuple, bool, bool]]:
    """The matrix products of ``function``'s graph.

    A loop body (``tf.while_loop``) is read once: trace an unrolled model.

    Returns:
        [(a shape, b shape, transpose a, transpose b)], one per product, in graph order.
    """
    traced = function if hasattr(function, "get_concrete_function") else tf.function(function)
    graph = traced.get_concrete_function(*input_specs).graph
    products = []
    for op in graph.get_operations():
        if op.type not in MATMUL_OPS:
            continue
        a, b = (tuple(int(d) for d in tensor.shape) for tensor in op.inputs[:2])
        if op.type == "MatMul":
            flags = (op.get_attr("transpose_a"), op.get_attr("transpose_b"))
        else:
            flags = (op.get_attr("adj_x"), op.get_attr("adj_y"))
        products.append((a, b, *flags))
    return products


def matmul_flops(products) -> int:
    """2 x multiply-adds of :func:`step_matmuls`' products (batched ones included)."""
    total = 0
    for a, b, transpose_a, transpose_b in products:
        rows, inner = (a[-1], a[-2]) if transpose_a else (a[-2], a[-1])
        columns = b[-2] if transpose_b else b[-1]
        batch = 1
        for d in a[:-2]:
            batch *= d
        total += 2 * batch * rows * inner * columns
    return total


def matmul_floor(function, *input_specs, repeats: int = 1, seed: int = 0):
    """A function doing the matrix products of ``repeats`` ``function`` steps and
    nothing else.

    Args:
        function: a step (Python function or ``tf.function`` of tensors).
        input_specs: its arguments' ``tf.TensorSpec``s, fully defined.
        repeats: steps per call (an epoch's, to time it beside an epoch).
        seed: for the random operands.

    Returns:
        (floor, products): ``floor()`` runs the products of ``repeats`` steps, one call
        per step, and blocks until done; ``products`` is :func:`step_matmuls`' list.
    """
    products = step_matmuls(function, *input_specs)
    if not products:
        raise ValueError("the step graph has no matrix product to time")
    generator = tf.random.Generator.from_seed(seed)
    operands = [(generator.normal(a), generator.normal(b)) for a, b, _, _ in products]
    flags = [(ta, tb) for _, _, ta, tb in products]

    @tf.function
    def all_products():
        total = tf.constant(0.0)
        for (a, b), (ta, tb) in zip(operands, flags):
            total += tf.reduce_sum(tf.linalg.matmul(a, b, transpose_a=ta, transpose_b=tb))
        return total

    def floor():
        for _ in range(repeats):
            total = all_products()
        return float(total)

    return floor, products
