"""Document 001's DCGAN at 64x64, read from its generator and discriminator tables, and
the PyTorch DCGAN tutorial's network that document 000 generated CelebA faces with.

``image_size`` (default 64, the report's) keeps the pattern at other powers of two:
one stride-2 layer fewer per halving, from the same 4x4 map (32x32 for Stacked MNIST).

Where the report is silent it follows carpedm20/DCGAN-tensorflow, its template:
weights N(0, 0.02), zero biases, BatchNorm with momentum 0.9 and epsilon 1e-5,
LeakyReLU 0.2, 5x5 kernels with stride 2 and "same" padding.

One choice the report makes differently from the template: its discriminator table
puts BatchNorm on the first convolution (DCGAN, and carpedm20, have none there).
``first_batchnorm=True`` (default) follows the report's table; False is the template.
The last layer is the table's 4x4 "valid" convolution to one sigmoid unit, which has
the parameters of carpedm20's linear layer on the flattened 4x4x512 map.
"""

import keras
from keras import layers

from mitlgan._checks import require_positive_int
from mitlgan.models._common import LEAKY_SLOPE, TF_DCGAN_BATCHNORM, dcgan_initializer

DCGAN_IMAGE_SIZE = 64


def _upsamplings(image_size: int) -> int:
    """Stride-2 layers between the 4x4 map and ``image_size`` (a power of two >= 8)."""
    require_positive_int("image_size", image_size)
    if image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"image_size must be a power of two >= 8 (the DCGAN doubles from "
                         f"4x4); got {image_size}.")
    return image_size.bit_length() - 3


def build_dcgan_generator(latent_dim: int = 100, *, base_channels: int = 512,
                          image_size: int = DCGAN_IMAGE_SIZE, channels: int = 3,
                          name: str = "dcgan_generator") -> keras.Model:
    """z (B, latent_dim) -> (B, image_size, image_size, channels) in [-1, 1].

    Dense -> 4x4x512, BN, ReLU -> ConvTranspose 5x5 s2 to 256, 128, 64 (BN, ReLU each)
    -> ConvTranspose 5x5 s2 to 3, tanh; 5,137,283 parameters at the defaults
    (``base_channels`` scales every width, for small test models; at ``image_size`` 32
    the 64-channel layer is left out).
    """
    require_positive_int("latent_dim", latent_dim)
    require_positive_int("base_channels", base_channels)
    require_positive_int("channels", channels)
    upsamplings = _upsamplings(image_size)
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Dense(4 * 4 * base_channels, kernel_initializer=dcgan_initializer(), name="project")(z)
    x = layers.Reshape((4, 4, base_channels), name="reshape")(x)
    x = layers.ReLU(name="relu0")(layers.BatchNormalization(**TF_DCGAN_BATCHNORM, name="bn0")(x))
    for index in range(1, upsamplings):
        x = layers.Conv2DTranspose(max(base_channels >> index, 1), 5, strides=2, padding="same",
                                   kernel_initializer=dcgan_initializer(), name=f"deconv{index}")(x)
        x = layers.ReLU(name=f"relu{index}")(
            layers.BatchNormalization(**TF_DCGAN_BATCHNORM, name=f"bn{index}")(x))
    image = layers.Conv2DTranspose(channels, 5, strides=2, padding="same", activation="tanh",
                                   kernel_initializer=dcgan_initializer(), name="image")(x)
    return keras.Model(z, image, name=name)


def build_dcgan_discriminator(*, first_batchnorm: bool = True, base_channels: int = 64,
                              image_size: int = DCGAN_IMAGE_SIZE, channels: int = 3,
                              name: str = "dcgan_discriminator") -> keras.Model:
    """(B, image_size, image_size, channels) -> (B, 1) probability of "real".

    Conv 5x5 s2 to 64, 128, 256, 512, each BN (the first only with
    ``first_batchnorm``) and LeakyReLU 0.2 -> Conv 4x4 valid to 1, sigmoid;
    4,318,593 parameters at the defaults (at ``image_size`` 32 the 512-channel layer
    is left out).
    """
    require_positive_int("base_channels", base_channels)
    require_positive_int("channels", channels)
    images = keras.Input((image_size, image_size, channels), name="image")
    x = images
    for index in range(_upsamplings(image_size)):
        x = layers.Conv2D(base_channels << index, 5, strides=2, padding="same",
                          kernel_initializer=dcgan_initializer(), name=f"conv{index}")(x)
        if index > 0 or first_batchnorm:
            x = layers.BatchNormalization(**TF_DCGAN_BATCHNORM, name=f"bn{index}")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
    x = layers.Conv2D(1, 4, padding="valid", activation="sigmoid", kernel_initializer=dcgan_initializer(),
                      name="score_map")(x)
    return keras.Model(images, layers.Flatten(name="score")(x), name=name)


def _tutorial_init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def _tutorial_batchnorm(name: str):
    # PyTorch's BatchNorm2d: momentum 0.1 (Keras 0.9), eps 1e-5; the tutorial draws the
    # scales from N(1, 0.02) and zeroes the offsets
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5,
                                     gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02),
                                     name=name)


def build_tutorial_dcgan_generator(latent_dim: int = 100, *, features: int = 64,
                                   channels: int = 3,
                                   name: str = "tutorial_dcgan_generator") -> keras.Model:
    """The PyTorch DCGAN tutorial's generator (document 000's CelebA faces): z (B,
    latent_dim) -> (B, 64, 64, channels) in [-1, 1].

    ConvTranspose 4x4 from 1x1 to 4x4x(8f), then 4x4 stride 2 to 4f, 2f, f (BatchNorm and
    ReLU after each), then 4x4 stride 2 to ``channels`` and tanh; no biases, weights
    N(0, 0.02). At f = 64: 3,576,704 trainable parameters (PyTorch's count; Keras adds
    the BatchNorm moving statistics as non-trainable weights).
    """
    require_positive_int("latent_dim", latent_dim)
    require_positive_int("features", features)
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Reshape((1, 1, latent_dim), name="as_map")(z)
    for index, width in enumerate((8 * features, 4 * features, 2 * features, features)):
        x = layers.Conv2DTranspose(width, 4, strides=1 if index == 0 else 2,
                                   padding="valid" if index == 0 else "same", use_bias=False,
                                   kernel_initializer=_tutorial_init(), name=f"deconv{index}")(x)
        x = layers.ReLU(name=f"relu{index}")(_tutorial_batchnorm(f"bn{index}")(x))
    image = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", use_bias=False,
                                   activation="tanh", kernel_initializer=_tutorial_init(),
                                   name="image")(x)
    return keras.Model(z, image, name=name)


def build_tutorial_dcgan_discriminator(*, features: int = 64, channels: int = 3,
                                       name: str = "tutorial_dcgan_discriminator") -> keras.Model:
    """The PyTorch DCGAN tutorial's discriminator: (B, 64, 64, channels) -> (B, 1)
    probability of "real".

    Conv 4x4 stride 2 to f, 2f, 4f, 8f (BatchNorm on all but the first, LeakyReLU 0.2
    after each), then Conv 4x4 valid to 1 and sigmoid; no biases, weights N(0, 0.02).
    At f = 64: 2,765,568 trainable parameters (PyTorch's count).
    """
    require_positive_int("features", features)
    images = keras.Input((DCGAN_IMAGE_SIZE, DCGAN_IMAGE_SIZE, channels), name="image")
    x = images
    for index, width in enumerate((features, 2 * features, 4 * features, 8 * features)):
        x = layers.Conv2D(width, 4, strides=2, padding="same", use_bias=False,
                          kernel_initializer=_tutorial_init(), name=f"conv{index}")(x)
        if index > 0:
            x = _tutorial_batchnorm(f"bn{index}")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
    x = layers.Conv2D(1, 4, padding="valid", use_bias=False, activation="sigmoid",
                      kernel_initializer=_tutorial_init(), name="score_map")(x)
    return keras.Model(images, layers.Flatten(name="score")(x), name=name)
