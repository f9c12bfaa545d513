"""The thesis's WGAN generator (Table 7.1) and critic (Table 7.2).

At the defaults both reproduce the printed parameter counts to the unit:
generator 2,421,054 total / 2,417,796 trainable, critic 2,448,097.
Smaller power-of-two image sizes keep the same structure with fewer
upsampling stages, for fast tests and CPU runs.
"""

import math

import keras
from keras import layers

from mitlgan._checks import is_power_of_two, require_positive_int
from mitlgan.models._common import LEAKY_SLOPE


def _generator_widths(latent_dim, image_size, initial_size, initial_channels, channels):
    if not is_power_of_two(image_size) or image_size <= initial_size:
        raise ValueError(
            f"image_size={image_size!r} is not supported: the generator doubles its "
            f"{initial_size}x{initial_size} start up to the output, so image_size must be "
            f"{initial_size} times a power of two greater than 1 "
            f"({', '.join(str(initial_size * 2**k) for k in range(1, 7))}, ...)."
        )
    if image_size % initial_size:
        raise ValueError(
            f"image_size={image_size} is not a multiple of initial_size={initial_size}."
        )
    stages = int(math.log2(image_size // initial_size))
    if initial_channels is None:
        if latent_dim % (initial_size * initial_size):
            raise ValueError(
                f"latent_dim={latent_dim} cannot be reshaped to ({initial_size}, {initial_size}, C): "
                f"it must be a multiple of {initial_size * initial_size}, or pass initial_channels."
            )
        initial_channels = latent_dim // (initial_size * initial_size)
    if channels is None:
        # Table 7.1 halves the width at every stage: 96 -> 48, 24, 12, 6.
        channels = [initial_channels // 2 ** (k + 1) for k in range(stages - 1)]
    channels = list(channels)
    if len(channels) != stages - 1:
        raise ValueError(
            f"channels={channels!r} has {len(channels)} entries; image_size={image_size} from "
            f"{initial_size}x{initial_size} needs {stages - 1} (one per upsampling stage before the "
            "final 3-channel convolution)."
        )
    if any(c < 1 for c in channels):
        raise ValueError(
            f"The halved widths {channels} reach zero: initial_channels={initial_channels} is too "
            f"small for image_size={image_size}. Raise latent_dim/initial_channels or pass channels."
        )
    return initial_channels, channels


def build_wgan_generator(
    latent_dim=1536,
    image_size=128,
    *,
    initial_size=4,
    initial_channels=None,
    channels=None,
    image_channels=3,
    output_activation="tanh",
    name="wgan_generator",
):
    """Build the thesis's WGAN generator (Table 7.1).

    latent (latent_dim,) -> Dense(initial_size² · initial_channels, no bias) -> BN ->
    LeakyReLU(0.2) -> Reshape(initial_size, initial_size, initial_channels) ->
    [UpSampling2D(2) -> Conv2D(c, 3, same, no bias) -> BN -> LeakyReLU(0.2)] for each c
    in ``channels`` -> UpSampling2D(2) -> Conv2D(image_channels, 3, same, no bias) -> BN
    -> ``output_activation``.

    Args:
        latent_dim: size of the N(0, I) latent vector (thesis: 1536).
        image_size: output side length; ``initial_size`` times a power of two (thesis: 128).
        initial_size: side of the first feature map (thesis: 4).
        initial_channels: channels of the first feature map; default
            ``latent_dim // initial_size²`` (thesis: 96).
        channels: widths of the intermediate convolutions; default halves
            ``initial_channels`` at every stage (thesis: 48, 24, 12, 6).
        image_channels: channels of the output image (3 for RGB).
        output_activation: final activation (thesis: "tanh", so pixels lie in [-1, 1]).
        name: model name. Give two generators used together different names.

    Returns:
        ``keras.Model`` mapping (B, latent_dim) float32 to (B, image_size, image_size,
        image_channels) float32, in [-1, 1] with tanh.

    Raises:
        ValueError: an image size the doubling structure cannot produce, or widths that
            do not fit it.
    """
    require_positive_int("latent_dim", latent_dim)
    require_positive_int("initial_size", initial_size)
    require_positive_int("image_channels", image_channels)
    initial_channels, channels = _generator_widths(
        latent_dim, image_size, initial_size, initial_channels, channels
    )

    latent = keras.Input(shape=(latent_dim,), name="latent")
    x = layers.Dense(initial_size * initial_size * initial_channels, use_bias=False, name="dense")(
        latent
    )
    x = layers.BatchNormalization(name="dense_bn")(x)
    x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name="dense_lrelu")(x)
    x = layers.Reshape((initial_size, initial_size, initial_channels), name="reshape")(x)
    for index, width in enumerate(channels, start=1):
        x = layers.UpSampling2D(2, name=f"up{index}")(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"conv{index}")(x)
        x = layers.BatchNormalization(name=f"conv{index}_bn")(x)
        x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"conv{index}_lrelu")(x)
    x = layers.UpSampling2D(2, name=f"up{len(channels) + 1}")(x)
    x = layers.Conv2D(image_channels, 3, padding="same", use_bias=False, name="to_image")(x)
    x = layers.BatchNormalization(name="to_image_bn")(x)
    # float32 output so images stay float32 under a mixed-precision policy.
    image = layers.Activation(output_activation, dtype="float32", name="image")(x)
    return keras.Model(latent, image, name=name)


def build_wgan_critic(
    image_size=128,
    *,
    channels=(48, 96, 192, 384),
    kernel_size=5,
    dropout=0.3,
    image_channels=3,
    name="wgan_critic",
):
    """Build the thesis's WGAN critic (Table 7.2).

    image (S, S, 3) -> Conv2D(48, 5, stride 2, same) -> LReLU -> Conv2D(96) -> LReLU ->
    Conv2D(192) -> LReLU -> Dropout(0.3) -> Conv2D(384) -> LReLU -> Flatten ->
    Dropout(0.3) -> Dense(1). Biases on, no normalisation (WGAN-GP penalises per-sample
    gradients, which batch normalisation would couple).

    Args:
        image_size: input side length; a multiple of 2 ** len(channels) (thesis: 128).
        channels: widths of the stride-2 convolutions (thesis: 48, 96, 192, 384). The
            dropout follows the third one, as in the thesis; with fewer than three
            convolutions it follows the last.
        kernel_size: convolution kernel side (thesis: 5).
        dropout: dropout rate (thesis: 0.3); 0 removes both dropout layers.
        image_channels: channels of the input image.
        name: model name.

    Returns:
        ``keras.Model`` mapping (B, S, S, image_channels) images in [-1, 1] to (B, 1)
        unbounded float32 scores (higher means "more real").

    Raises:
        ValueError: an image size that the stride-2 stages cannot halve evenly.
    """
    require_positive_int("kernel_size", kernel_size)
    require_positive_int("image_channels", image_channels)
    channels = list(channels)
    if not channels or any(isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in channels):
        raise ValueError(f"channels={channels!r} must be a non-empty list of positive integers.")
    stride_product = 2 ** len(channels)
    if (
        isinstance(image_size, bool)
        or not isinstance(image_size, int)
        or image_size < stride_product
        or image_size % stride_product
    ):
        raise ValueError(
            f"image_size={image_size!r} is not supported: {len(channels)} stride-2 convolutions "
            f"need a positive multiple of {stride_product} (e.g. 32, 64, 128)."
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout={dropout!r} must be in [0, 1).")

    dropout_after = min(3, len(channels))
    image = keras.Input(shape=(image_size, image_size, image_channels), name="image")
    x = image
    for index, width in enumerate(channels, start=1):
        x = layers.Conv2D(width, kernel_size, strides=2, padding="same", name=f"conv{index}")(x)
        x = layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"conv{index}_lrelu")(x)
        if dropout and index == dropout_after:
            x = layers.Dropout(dropout, name=f"conv{index}_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    if dropout:
        x = layers.Dropout(dropout, name="flatten_dropout")(x)
    score = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(image, score, name=name)
