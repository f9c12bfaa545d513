"""Seed 001's DCGAN at 64x64, read from its generator and discriminator tables.

Where the report is silent it follows carpedm20/DCGAN-tensorflow, its template:
weights N(0, 0.02), zero biases, BatchNorm with momentum 0.9 and epsilon 1e-5,
LeakyReLU 0.2, 5x5 kernels with stride 2 and "same" padding.

One choice the report makes differently from the template: its discriminator table
puts BatchNorm on the first convolution (DCGAN, and carpedm20, have none there).
``first_batchnorm=True`` (default) follows the report's table; False is the template.
The last layer is the table's 4x4 "valid" convolution to one sigmoid unit, which has
the parameters of carpedm20's linear layer on the flattened 4x4x512 map.
"""

from mitlgan._backend import ensure_tensorflow_backend

ensure_tensorflow_backend()

import keras  # noqa: E402
from keras import layers  # noqa: E402

from mitlgan.models._checks import require_positive_int  # noqa: E402

DCGAN_IMAGE_SIZE = 64
LEAKY_SLOPE = 0.2
BATCHNORM = {"momentum": 0.9, "epsilon": 1e-5}  # carpedm20's batch_norm defaults


def _init():
    return keras.initializers.RandomNormal(0.0, 0.02)


def build_dcgan_generator(latent_dim: int = 100, *, base_channels: int = 512,
                          name: str = "dcgan_generator") -> keras.Model:
    """z (B, latent_dim) -> (B, 64, 64, 3) in [-1, 1].

    Dense -> 4x4x512, BN, ReLU -> ConvTranspose 5x5 s2 to 256, 128, 64 (BN, ReLU each)
    -> ConvTranspose 5x5 s2 to 3, tanh; 5,137,283 parameters at the defaults
    (``base_channels`` scales every width, for small test models).
    """
    require_positive_int("latent_dim", latent_dim)
    require_positive_int("base_channels", base_channels)
    z = keras.Input((latent_dim,), name="latent")
    x = layers.Dense(4 * 4 * base_channels, kernel_initializer=_init(), name="project")(z)
    x = layers.Reshape((4, 4, base_channels), name="reshape")(x)
    x = layers.ReLU(name="relu0")(layers.BatchNormalization(**BATCHNORM, name="bn0")(x))
    for index, divisor in enumerate((2, 4, 8), start=1):
        x = layers.Conv2DTranspose(base_channels // divisor, 5, strides=2, padding="same",
                                   kernel_initializer=_init(), name=f"deconv{index}")(x)
        x = layers.ReLU(name=f"relu{index}")(
            layers.BatchNormalization(**BATCHNORM, name=f"bn{index}")(x))
    image = layers.Conv2DTranspose(3, 5, strides=2, padding="same", activation="tanh",
                                   kernel_initializer=_init(), name="image")(x)
    return keras.Model(z, image, name=name)


def build_dcgan_discriminator(*, first_batchnorm: bool = True, base_channels: int = 64,
                              name: str = "dcgan_discriminator") -> keras.Model:
    """(B, 64, 64, 3) -> (B, 1) probability of "real".

    Conv 5x5 s2 to 64, 128, 256, 512, each BN (the first only with
    ``first_batchnorm``) and LeakyReLU 0.2 -> Conv 4x4 valid to 1, sigmoid;
    4,318,593 parameters at the defaults.
    """
    require_positive_int("base_channels", base_channels)
    images = keras.Input((DCGAN_IMAGE_SIZE, DCGAN_IMAGE_SIZE, 3), name="image")
    x = images
    for index, multiple in enumerate((1, 2, 4, 8)):
        x = layers.Conv2D(base_channels * multiple, 5, strides=2, padding="same",
                          kernel_initializer=_init(), name=f"conv{index}")(x)
        if index > 0 or first_batchnorm:
            x = layers.BatchNormalization(**BATCHNORM, name=f"bn{index}")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
    x = layers.Conv2D(1, 4, padding="valid", activation="sigmoid", kernel_initializer=_init(),
                      name="score_map")(x)
    return keras.Model(images, layers.Flatten(name="score")(x), name=name)
