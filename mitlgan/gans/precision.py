"""Mixed-precision helpers: build models under a dtype policy, and find their compute dtypes."""

import contextlib

import keras


@contextlib.contextmanager
def dtype_policy(name):
    """Build models under a Keras dtype policy, restoring the previous one afterwards.

    Mixed precision is opt-in: build the generator and critic inside this context (the
    policy is fixed per layer when it is created), then wrap them in a GAN class::

        with dtype_policy("mixed_bfloat16"):
            generator, critic = build_wgan_generator(...), build_wgan_critic(...)

    Whether it is faster is a property of the device: see ``docs/training.md``.

    Args:
        name: a Keras policy name: "float32", "mixed_bfloat16", "mixed_float16", ...
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def all_layers(model):
    """Every layer nested in ``model`` (depth first), nested models' layers included."""
    for layer in getattr(model, "layers", []):
        yield layer
        yield from all_layers(layer)


def compute_dtypes(model):
    """The set of compute dtype names of ``model`` and all its nested layers."""
    return {model.compute_dtype} | {layer.compute_dtype for layer in all_layers(model)}
