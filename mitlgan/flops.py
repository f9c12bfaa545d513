"""Training compute counted from the built models: FLOPs per image and per WGAN-GP step.

The count is analytic: 2 x the multiply-adds of every ``Dense``, ``Conv2D`` and
``Conv2DTranspose`` layer (nested models included), from the layers' shapes. Biases,
normalisation, activations, upsampling and the optimiser are left out; in these
networks they are a few percent of the convolutions.

A training step is priced with the usual rule (Kaplan et al. 2020): a pass that is
differentiated with respect to weights costs three forward passes (forward, backward
to the activations, backward to the weights); one differentiated only to its input
costs two; a frozen network that nothing differentiates costs one. The WGAN-GP
critic update differentiates a gradient (the penalty), priced as twice the
three-pass cost of the interpolated batch. These are estimates for comparing two
models with the same rule, not measurements of a device.

:func:`graph_flops` is the other count: TensorFlow's profiler sums the float operations
of a traced graph (every op, elementwise ones included), which is what the benchmarks
and the cost model (``python -m reproductions.mitlgan.cost``) report for a whole train
step; :func:`wgan_gp_graph_flops` applies it to a built WGAN-GP.
"""

from __future__ import annotations

import math

__all__ = ["LOOP_OPS", "forward_flops", "graph_flops", "graph_flops_and_loops",
           "wgan_gp_graph_flops", "wgan_gp_step_flops"]


def _positions(shape) -> int:
    """Product of the spatial/leading axes of a (batch, ..., channels) shape."""
    return math.prod(int(d) for d in shape[1:-1]) if len(shape) > 2 else 1


def _layer_flops(layer) -> int:
    import keras

    if isinstance(layer, keras.layers.Conv2DTranspose):
        kh, kw = layer.kernel_size
        inputs = layer.input.shape
        return 2 * _positions(inputs) * kh * kw * int(inputs[-1]) * layer.filters
    if isinstance(layer, keras.layers.Conv2D):
        kh, kw = layer.kernel_size
        inputs, outputs = layer.input.shape, layer.output.shape
        per_position = kh * kw * int(inputs[-1]) // max(getattr(layer, "groups", 1), 1)
        return 2 * _positions(outputs) * per_position * layer.filters
    if isinstance(layer, keras.layers.Dense):
        inputs = layer.input.shape
        return 2 * _positions(inputs) * int(inputs[-1]) * layer.units
    return 0


def forward_flops(model, *, trainable: bool | None = None) -> int:
    """FLOPs of one image's forward pass through ``model``.

    Args:
        model: a built functional ``keras.Model`` (nested models are counted inside).
        trainable: None counts every layer; True only layers with trainable weights
            (a frozen nested generator is skipped); False only the frozen ones.

    Returns:
        int, 2 x multiply-adds of the Dense / Conv2D / Conv2DTranspose layers.
    """
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            if trainable is None or layer.trainable == trainable:
                total += forward_flops(layer, trainable=None)
            elif trainable is False:
                total += forward_flops(layer, trainable=False)
            continue
        if trainable is None or (layer.trainable and bool(layer.weights)) == trainable:
            total += _layer_flops(layer)
    return total


def wgan_gp_step_flops(generator, critic, batch_size: int, n_critic: int) -> int:
    """FLOPs of one WGAN-GP generator update with its ``n_critic`` critic updates.

    Per image, with G = the generator's forward FLOPs (split into trainable G_t and
    frozen G_f) and D = the critic's:

    - critic update: G (fakes, not differentiated) + 3 x 2D (real and fake scores)
      + 6D (the gradient penalty on the interpolates) = G + 12D;
    - generator update: G_f + 3 G_t + 2D (the critic differentiated to its input).

    Returns:
        int, ``batch_size * (n_critic * (G + 12 D) + G_f + 3 G_t + 2 D)``.
    """
    g_trainable = forward_flops(generator, trainable=True)
    g_frozen = forward_flops(generator, trainable=False)
    d = forward_flops(critic)
    critic_update = g_trainable + g_frozen + 12 * d
    generator_update = g_frozen + 3 * g_trainable + 2 * d
    return int(batch_size) * (int(n_critic) * critic_update + generator_update)


#: graph ops that run a function body many times; the profiler counts such a body once
LOOP_OPS = frozenset({"While", "StatelessWhile"})


def graph_flops(function, *input_specs) -> int:
    """TensorFlow's profiler count of float operations in ``function``'s graph.

    The graph is traced, not run, so even a thesis-size step is counted in seconds. A
    ``tf.while_loop`` (e.g. a recurrent layer that is not unrolled) is counted once, not
    once per iteration: :func:`graph_flops_and_loops` says whether there is one.

    Args:
        function: a Python function or ``tf.function`` of tensors (e.g. a GAN's
            ``train_step``).
        input_specs: one ``tf.TensorSpec`` (or a nested structure of them) per argument,
            with fully defined shapes.

    Returns:
        int, the profiler's ``total_float_ops``.
    """
    return graph_flops_and_loops(function, *input_specs)[0]


def graph_flops_and_loops(function, *input_specs) -> tuple[int, bool]:
    """:func:`graph_flops` and whether the graph holds a loop (:data:`LOOP_OPS`), whose
    body the count includes once however many times it runs.

    Returns:
        (int FLOPs, bool has a loop).
    """
    import logging

    import tensorflow as tf
    from tensorflow.python.profiler import model_analyzer, option_builder

    traced = function if hasattr(function, "get_concrete_function") else tf.function(function)
    graph = traced.get_concrete_function(*input_specs).graph
    has_loop = any(op.type in LOOP_OPS for op in graph.get_operations())
    options = (
        option_builder.ProfileOptionBuilder(option_builder.ProfileOptionBuilder.float_operation())
        .with_empty_output()
        .build()
    )
    # The profiler's own graph helpers log a TF1 deprecation warning on every call.
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        return int(model_analyzer.profile(graph, options=options).total_float_ops), has_loop
    finally:
        logger.setLevel(level)


def wgan_gp_graph_flops(generator, critic, *, batch_size: int, n_critic: int,
                        gp_weight: float, image_size: int, batch_regime: str) -> int:
    """The profiler's FLOPs of one ``WGANGP.train_step`` of these models.

    Args:
        generator, critic: built models (the generator may hold frozen parts).
        batch_size, n_critic, gp_weight: the step's (see :class:`mitlgan.WGANGP`).
        image_size: the side S of the (S, S, 3) images.
        batch_regime: ``"reused"`` feeds (B, S, S, 3), ``"fresh"`` (B, n_critic, S, S, 3).

    Returns:
        int, float operations of one step: n_critic critic updates and one generator update.
    """
    import tensorflow as tf

    from mitlgan.gans import WGANGP

    gan = WGANGP(generator, critic, n_critic=n_critic, gp_weight=gp_weight,
                 real_batches=batch_regime, seed=0)
    gan.compile()
    size, batch = image_size, batch_size
    shape = ((batch, n_critic, size, size, 3) if batch_regime == "fresh"
             else (batch, size, size, 3))
    return graph_flops(gan.train_step, tf.TensorSpec(shape, tf.float32))
