"""The MNIST networks of documents 000, 002 and 003.

Images are (28, 28, 1) in [-1, 1] throughout (the judge too, so it scores generator
output as it comes); generators end in tanh, discriminators in a sigmoid probability.

- :func:`build_mnist_classifier`: the judge (document 000's "traditional CNN" reaching
  99.35%). The report gives no layers; we use the Keras MNIST CNN example
  (two 3x3 convolutions, max-pooling, a 128-unit dense layer, dropout), whose
  128-unit layer gives the judge's features.
- :func:`build_mlp_generator`, :func:`build_mlp_discriminator`: document 002's MLP GAN.
  The report follows PyTorch-GAN's ``gan.py``, whose ``BatchNorm1d(n, 0.8)`` passes
  0.8 as the *epsilon*; ``batchnorm_epsilon=0.8`` reproduces that (1e-3 is Keras's
  usual value). The report's last layer "1024 -> 768" is 1024 -> 784 (28 x 28).
- :func:`build_fc_generator`, :func:`build_fc_discriminator`: document 003's fully
  connected GAN and the options its ablations change (widths, dropout, BatchNorm,
  the convolutional generator).
"""

import keras
from keras import layers

from mitlgan._checks import require_positive_int
from mitlgan.models._common import LEAKY_SLOPE

MNIST_SHAPE = (28, 28, 1)
MNIST_PIXELS = 784
PYTORCH_BATCHNORM_MOMENTUM = 0.9  # PyTorch's momentum 0.1 in Keras's convention
JUDGE_FEATURES_LAYER = "features"


def _check_rate(name, value):
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name}={value!r} is not supported: a dropout rate is in [0, 1).")
    return value


def build_mnist_classifier(name: str = "mnist_judge") -> keras.Model:
    """The judge: (B, 28, 28, 1) images in [-1, 1] -> (B, 10) class probabilities.

    Conv 32 3x3 ReLU -> Conv 64 3x3 ReLU -> MaxPool 2 -> Dropout 0.25 -> Flatten ->
    Dense 128 ReLU (layer ``"features"``, the judge's feature space) -> Dropout 0.5 ->
    Dense 10 softmax; 1,199,882 parameters.
    """
    images = keras.Input(MNIST_SHAPE, name="image")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(images)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool")(x)
    x = layers.Dropout(0.25, name="dropout1")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation="relu", name=JUDGE_FEATURES_LAYER)(x)
    x = layers.Dropout(0.5, name="dropout2")(x)
    probabilities = layers.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(images, probabilities, name=name)


def build_mlp_generator(latent_dim: int = 100, *, batchnorm_epsilon: float = 0.8,
                        name: str = "mlp_generator") -> keras.Model:
    """Document 002's generator: (B, latent_dim) -> (B, 28, 28, 1) in [-1, 1].

    Dense 128, LeakyReLU 0.2; then Dense 256 / 512 / 1024, each BatchNorm + LeakyReLU;
    Dense 784, tanh. ``batchnorm_epsilon=0.8`` is PyTorch-GAN's (see module docstring).
    """
    require_positive_int("latent_dim", latent_dim)
    z = keras.Input((latent_dim,), name="latent")
    x = layers.LeakyReLU(LEAKY_SLOPE, name="lrelu1")(layers.Dense(128, name="dense1")(z))
    for index, width in enumerate((256, 512, 1024), start=2):
        x = layers.Dense(width, name=f"dense{index}")(x)
        x = layers.BatchNormalization(momentum=PYTORCH_BATCHNORM_MOMENTUM,
                                      epsilon=batchnorm_epsilon, name=f"bn{index}")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
    x = layers.Dense(MNIST_PIXELS, activation="tanh", name="dense_out")(x)
    return keras.Model(z, layers.Reshape(MNIST_SHAPE, name="image")(x), name=name)


def build_mlp_discriminator(name: str = "mlp_discriminator") -> keras.Model:
    """Document 002's discriminator: (B, 28, 28, 1) -> (B, 1) probability of "real".

    Flatten -> Dense 512, LeakyReLU 0.2 -> Dense 256, LeakyReLU 0.2 -> Dense 1, sigmoid.
    """
    images = keras.Input(MNIST_SHAPE, name="image")
    x = layers.Flatten(name="flatten")(images)
    for index, width in enumerate((512, 256), start=1):
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(
            layers.Dense(width, name=f"dense{index}")(x))
    return keras.Model(images, layers.Dense(1, activation="sigmoid", name="score")(x), name=name)


def build_fc_generator(latent_dim: int = 100, *, widths=(128, 256, 512, 1024),
                       dropout: float = 0.0, batchnorm: bool = False, conv_filters=None,
                       name: str = "fc_generator") -> keras.Model:
    """Document 003's generator and its ablations: (B, latent_dim) -> (B, 28, 28, 1) in [-1, 1].

    Fully connected (``conv_filters=None``): per width a Dense, optional BatchNorm
    (between the dense layer and the activation, as the report puts it), LeakyReLU 0.2,
    optional Dropout; then Dense 784, tanh.

    Convolutional (``conv_filters=(8, 16, 32)`` or ``(16, 32, 64)``): Dense 784,
    LeakyReLU, Reshape (28, 28, 1), one 3x3 same-padded convolution per filter count
    with LeakyReLU, and a 3x3 one-filter convolution with tanh to make the image
    (the report names no output layer; one filter is what an image needs).

    The report gives no latent size; 100 is the common choice of its template.
    """
    require_positive_int("latent_dim", latent_dim)
    _check_rate("dropout", dropout)
    z = keras.Input((latent_dim,), name="latent")
    x = z
    if conv_filters is None:
        for index, width in enumerate(widths, start=1):
            x = layers.Dense(require_positive_int("widths[...]", width), name=f"dense{index}")(x)
            if batchnorm:
                x = layers.BatchNormalization(name=f"bn{index}")(x)
            x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
            if dropout:
                x = layers.Dropout(dropout, name=f"dropout{index}")(x)
        x = layers.Dense(MNIST_PIXELS, activation="tanh", name="dense_out")(x)
        image = layers.Reshape(MNIST_SHAPE, name="image")(x)
    else:
        x = layers.LeakyReLU(LEAKY_SLOPE, name="lrelu0")(layers.Dense(MNIST_PIXELS, name="dense")(x))
        x = layers.Reshape(MNIST_SHAPE, name="reshape")(x)
        for index, filters in enumerate(conv_filters, start=1):
            x = layers.Conv2D(require_positive_int("conv_filters[...]", filters), 3,
                              padding="same", name=f"conv{index}")(x)
            x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
        image = layers.Conv2D(1, 3, padding="same", activation="tanh", name="image")(x)
    return keras.Model(z, image, name=name)


def build_fc_discriminator(*, widths=(1024, 512, 256, 128), dropout: float = 0.0,
                           name: str = "fc_discriminator") -> keras.Model:
    """Document 003's discriminator: (B, 28, 28, 1) -> (B, 1) probability of "real".

    Flatten, then per width Dense + LeakyReLU 0.2 (+ Dropout ``dropout`` after each
    activation, the ablation), then Dense 1, sigmoid.
    """
    _check_rate("dropout", dropout)
    images = keras.Input(MNIST_SHAPE, name="image")
    x = layers.Flatten(name="flatten")(images)
    for index, width in enumerate(widths, start=1):
        x = layers.Dense(require_positive_int("widths[...]", width), name=f"dense{index}")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"lrelu{index}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout{index}")(x)
    return keras.Model(images, layers.Dense(1, activation="sigmoid", name="score")(x), name=name)
