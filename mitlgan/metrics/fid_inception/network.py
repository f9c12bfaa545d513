"""The 2015-12-05 FID Inception as a Keras model, and its weights from a PyTorch archive.

The network is InceptionV3 as TensorFlow's 2015 graph has it, with the blocks the FID
variant differs in: the 3x3 average poolings of the branches do not count padding
(TensorFlow's ``SAME`` pooling), the last block's pool branch takes a max pooling, and
batch normalisation has no scale (only beta, moving mean and variance, epsilon 0.001).
Each convolution's batch normalisation is folded into it (kernel / sqrt(var + eps),
bias beta - mean / sqrt(var + eps)), computed in float64 once at conversion.

Layers are named as in the TensorFlow graph / the TorchScript archives
(``mixed_4.tower_1.conv_2``), which is how :func:`keras_weights_from_tensors` maps them.

Input: (B, 299, 299, 3) float images already scaled as the original, (x - 128) / 128 for
x in [0, 255]. Output: the 2048-d pool features, and with ``logits=True`` also the 1008
logits of ``pool @ W`` without the bias, which is what the original Inception Score took.
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["CONVOLUTIONS", "FEATURE_DIM", "LOGITS_DIM", "build_fid_inception",
           "keras_weights_from_tensors"]

FEATURE_DIM, LOGITS_DIM = 2048, 1008
BN_EPSILON = 0.001

# (name, kernel (h, w), stride) of every convolution, in the graph's order.
_STEM = [("conv", (3, 3), 2), ("conv_1", (3, 3), 1), ("conv_2", (3, 3), 1),
         ("conv_3", (1, 1), 1), ("conv_4", (3, 3), 1)]
_A = [("conv", (1, 1), 1), ("tower.conv", (1, 1), 1), ("tower.conv_1", (5, 5), 1),
      ("tower_1.conv", (1, 1), 1), ("tower_1.conv_1", (3, 3), 1),
      ("tower_1.conv_2", (3, 3), 1), ("tower_2.conv", (1, 1), 1)]
_B = [("conv", (3, 3), 2), ("tower.conv", (1, 1), 1), ("tower.conv_1", (3, 3), 1),
      ("tower.conv_2", (3, 3), 2)]
_C = [("conv", (1, 1), 1), ("tower.conv", (1, 1), 1), ("tower.conv_1", (1, 7), 1),
      ("tower.conv_2", (7, 1), 1), ("tower_1.conv", (1, 1), 1),
      ("tower_1.conv_1", (7, 1), 1), ("tower_1.conv_2", (1, 7), 1),
      ("tower_1.conv_3", (7, 1), 1), ("tower_1.conv_4", (1, 7), 1), ("tower_2.conv", (1, 1), 1)]
_D = [("tower.conv", (1, 1), 1), ("tower.conv_1", (3, 3), 2), ("tower_1.conv", (1, 1), 1),
      ("tower_1.conv_1", (1, 7), 1), ("tower_1.conv_2", (7, 1), 1),
      ("tower_1.conv_3", (3, 3), 2)]
_E = [("conv", (1, 1), 1), ("tower_conv", (1, 1), 1), ("tower_mixed_conv", (1, 3), 1),
      ("tower_mixed_conv_1", (3, 1), 1), ("tower_1_conv", (1, 1), 1),
      ("tower_1_conv_1", (3, 3), 1), ("tower_1_mixed_conv", (1, 3), 1),
      ("tower_1_mixed_conv_1", (3, 1), 1), ("tower_2_conv", (1, 1), 1)]
_BLOCKS = [("mixed", _A), ("mixed_1", _A), ("mixed_2", _A), ("mixed_3", _B),
           ("mixed_4", _C), ("mixed_5", _C), ("mixed_6", _C), ("mixed_7", _C),
           ("mixed_8", _D), ("mixed_9", _E), ("mixed_10", _E)]
#: {layer name: (kernel (h, w), stride)} of the 94 convolutions
CONVOLUTIONS = {name: (kernel, stride) for name, kernel, stride in _STEM} | {
    f"{block}.{name}": (kernel, stride) for block, layers in _BLOCKS
    for name, kernel, stride in layers}
# Unpadded ("valid") convolutions: the stem's first two and fifth, and the strided ones.
_VALID = {"conv", "conv_1", "conv_3", "conv_4"}


def _conv(x, name: str, filters: int):
    kernel, stride = CONVOLUTIONS[name]
    padding = "valid" if stride == 2 or name in _VALID else "same"
    return keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding,
                               activation="relu", name=name)(x)


def _avg_pool(x):
    # TensorFlow's SAME average pooling divides by the pixels inside the image: the
    # FID graph's count_include_pad=False.
    return keras.layers.AveragePooling2D(3, strides=1, padding="same")(x)


def _block_a(x, block: str, pool_filters: int):
    return keras.layers.Concatenate()([
        _conv(x, f"{block}.conv", 64),
        _conv(_conv(x, f"{block}.tower.conv", 48), f"{block}.tower.conv_1", 64),
        _conv(_conv(_conv(x, f"{block}.tower_1.conv", 64), f"{block}.tower_1.conv_1", 96),
              f"{block}.tower_1.conv_2", 96),
        _conv(_avg_pool(x), f"{block}.tower_2.conv", pool_filters)])


def _block_b(x, block: str):
    tower = _conv(_conv(x, f"{block}.tower.conv", 64), f"{block}.tower.conv_1", 96)
    return keras.layers.Concatenate()([
        _conv(x, f"{block}.conv", 384), _conv(tower, f"{block}.tower.conv_2", 96),
        keras.layers.MaxPooling2D(3, strides=2)(x)])


def _block_c(x, block: str, width: int):
    tower = _conv(_conv(x, f"{block}.tower.conv", width), f"{block}.tower.conv_1", width)
    tower_1 = _conv(x, f"{block}.tower_1.conv", width)
    for i in range(1, 4):
        tower_1 = _conv(tower_1, f"{block}.tower_1.conv_{i}", width)
    return keras.layers.Concatenate()([
        _conv(x, f"{block}.conv", 192), _conv(tower, f"{block}.tower.conv_2", 192),
        _conv(tower_1, f"{block}.tower_1.conv_4", 192),
        _conv(_avg_pool(x), f"{block}.tower_2.conv", 192)])


def _block_d(x, block: str):
    tower = _conv(_conv(x, f"{block}.tower.conv", 192), f"{block}.tower.conv_1", 320)
    tower_1 = _conv(x, f"{block}.tower_1.conv", 192)
    for i in range(1, 4):
        tower_1 = _conv(tower_1, f"{block}.tower_1.conv_{i}", 192)
    return keras.layers.Concatenate()([tower, tower_1, keras.layers.MaxPooling2D(3, strides=2)(x)])


def _block_e(x, block: str, max_pool: bool):
    a = _conv(x, f"{block}.tower_conv", 384)
    b = _conv(_conv(x, f"{block}.tower_1_conv", 448), f"{block}.tower_1_conv_1", 384)
    # The FID graph's last block pools its pool branch by max, not by average.
    pooled = keras.layers.MaxPooling2D(3, strides=1, padding="same")(x) if max_pool \
        else _avg_pool(x)
    return keras.layers.Concatenate()([
        _conv(x, f"{block}.conv", 320),
        _conv(a, f"{block}.tower_mixed_conv", 384), _conv(a, f"{block}.tower_mixed_conv_1", 384),
        _conv(b, f"{block}.tower_1_mixed_conv", 384),
        _conv(b, f"{block}.tower_1_mixed_conv_1", 384),
        _conv(pooled, f"{block}.tower_2_conv", 192)])


def build_fid_inception(*, logits: bool = False, dtype=None) -> keras.Model:
    """The FID Inception network (untrained until weights are loaded).

    Args:
        logits: also output the 1008 unbiased logits (needs weights with the logits layer).
        dtype: a Keras dtype policy name ("float32", "mixed_bfloat16"); None: the global one.

    Returns:
        ``keras.Model`` mapping (B, 299, 299, 3) scaled images to the (B, 2048) pool
        features, or to ``[features, logits (B, 1008)]``.
    """
    previous = keras.config.dtype_policy()
    if dtype is not None:
        keras.config.set_dtype_policy(dtype)
    try:
        inputs = keras.Input((299, 299, 3), name="scaled_images")
        x = _conv(_conv(_conv(inputs, "conv", 32), "conv_1", 32), "conv_2", 64)
        x = keras.layers.MaxPooling2D(3, strides=2)(x)
        x = keras.layers.MaxPooling2D(3, strides=2)(_conv(_conv(x, "conv_3", 80), "conv_4", 192))
        for block, pool_filters in (("mixed", 32), ("mixed_1", 64), ("mixed_2", 64)):
            x = _block_a(x, block, pool_filters)
        x = _block_b(x, "mixed_3")
        for block, width in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160),
                             ("mixed_7", 192)):
            x = _block_c(x, block, width)
        x = _block_e(_block_e(_block_d(x, "mixed_8"), "mixed_9", False), "mixed_10", True)
        pool = keras.layers.GlobalAveragePooling2D(name="pool_3", dtype="float32")(x)
        outputs = pool
        if logits:
            head = keras.layers.Dense(LOGITS_DIM, use_bias=False, name="logits",
                                      dtype="float32")(pool)
            outputs = [pool, head]
        return keras.Model(inputs, outputs, name="fid_inception_2015_12_05")
    finally:
        keras.config.set_dtype_policy(previous)


def keras_weights_from_tensors(tensors: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """The Keras layers' weights from a TorchScript archive's tensors.

    Args:
        tensors: ``{name: array}`` as :func:`~mitlgan.metrics.fid_inception.archive.read_tensors`
            returns them, with ``<prefix>layers.<conv>.{weight,beta,mean,var}`` (torch
            layout (out, in, h, w)) and optionally ``<prefix>output.weight`` (1008, 2048).

    Returns:
        ``{layer name: [kernel (h, w, in, out), bias (out,)]}`` for the 94 convolutions,
        plus ``"logits": [(2048, 1008)]`` when the archive has the logits layer.

    Raises:
        ValueError: a convolution is missing or has the wrong kernel size.
    """
    prefix = next((k[: k.index("layers.")] for k in tensors if "layers.conv.weight" in k), None)
    if prefix is None:
        raise ValueError("no 'layers.conv.weight' tensor: not an FID Inception archive")
    weights: dict[str, list[np.ndarray]] = {}
    for name, (kernel, _stride) in CONVOLUTIONS.items():
        key = f"{prefix}layers.{name}"
        try:
            w, beta, mean, var = (tensors[f"{key}.{part}"].astype(np.float64)
                                  for part in ("weight", "beta", "mean", "var"))
        except KeyError as err:
            raise ValueError(f"the archive has no tensor {err.args[0]!r}") from err
        if w.shape[2:] != kernel:
            raise ValueError(f"{key}.weight has kernel {w.shape[2:]}, expected {kernel}")
        scale = 1.0 / np.sqrt(var + BN_EPSILON)
        kernel_hwio = (w * scale[:, None, None, None]).transpose(2, 3, 1, 0)
        weights[name] = [kernel_hwio.astype(np.float32), (beta - mean * scale).astype(np.float32)]
    if f"{prefix}output.weight" in tensors:
        weights["logits"] = [tensors[f"{prefix}output.weight"].T.astype(np.float32)]
    return weights
