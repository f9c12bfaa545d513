"""zi2zi at 64x64: document 000's port of kaonashi-tyc/zi2zi (``model/unet.py``, ``ops.py``).

Every choice below is read from zi2zi's code, with the sizes of document 000's 64x64 port
(github.com/yanghaoxiang7/Yang-Haoxiang-s-First-Research-Turn, ``zi2zi-master``:
``generator_dim=16``, ``discriminator_dim=16``, ``embedding_num=10``,
``embedding_dim=32``) and the report's Figures 7-9 (e1..e6, a 128x1x1 bottleneck,
decoder layers concatenated with encoder layers, "(128 + 128) x 2 x 2" after d1).

Generator (U-Net; every convolution 5x5 stride 2 "same", weights N(0, 0.02) (truncated
for convolutions), zero biases; BatchNorm momentum 0.9, epsilon 1e-5, as ``ops.batch_norm``):

====== ================================================ ==============
layer  operation                                        output (dim 16)
====== ================================================ ==============
e1     Conv                                             32x32x16
e2     LeakyReLU 0.2, Conv, BN                          16x16x32
e3     LeakyReLU 0.2, Conv, BN                          8x8x64
e4     LeakyReLU 0.2, Conv, BN                          4x4x128
e5     LeakyReLU 0.2, Conv, BN                          2x2x128
e6     LeakyReLU 0.2, Conv, BN (the bottleneck)         1x1x128
embed  style embedding, concatenated to e6              1x1x(128+32)
d1     ReLU, ConvT, BN, Dropout 0.5, concat e5          2x2x(128+128)
d2     ReLU, ConvT, BN, Dropout 0.5, concat e4          4x4x(128+128)
d3     ReLU, ConvT, BN, concat e3                       8x8x(64+64)
d4     ReLU, ConvT, BN, concat e2                       16x16x(32+32)
d5     ReLU, ConvT, BN, concat e1                       32x32x(16+16)
d6     ReLU, ConvT, tanh                                64x64x3
====== ================================================ ==============

The style embedding is zi2zi's ``init_embedding``: N(0, 0.01) and *not trained*
(zi2zi's optimisers take only variables named ``g_``/``d_``). zi2zi's ``tf.nn.dropout``
also drops at inference; here Dropout follows Keras and is off with ``training=False``.

Discriminator, on the source and a target concatenated along channels (64x64x6):
h0 Conv, LeakyReLU (32x32x16) -> h1 Conv, BN, LeakyReLU (16x16x32) -> h2 Conv, BN,
LeakyReLU (8x8x64) -> h3 Conv *stride 1*, BN, LeakyReLU (8x8x128) -> flatten -> two
dense heads: one real/fake logit and ``embedding_num`` category logits.
"""

import keras
from keras import layers

from mitlgan._checks import require_positive_int
from mitlgan.models._common import LEAKY_SLOPE, TF_DCGAN_BATCHNORM, dcgan_initializer

ZI2ZI_IMAGE_SIZE = 64
ZI2ZI_DEFAULTS = {"generator_dim": 16, "discriminator_dim": 16, "embedding_num": 10,
                  "embedding_dim": 32}  # document 000's 64x64 train.py / unet.py
ENCODER_MULTIPLES = (1, 2, 4, 8, 8, 8)  # e1..e6 widths / generator_dim
DROPOUT_DECODER_LAYERS = (1, 2)  # d1, d2 drop at 0.5 (zi2zi drops the first three of 8)


def _conv(filters, name, strides=2):
    # ops.conv2d draws truncated-normal weights; deconv2d and fc plain normal ones
    return layers.Conv2D(filters, 5, strides=strides, padding="same", name=name,
                         kernel_initializer=keras.initializers.TruncatedNormal(0.0, 0.02))


def build_zi2zi_encoder(image_size: int = ZI2ZI_IMAGE_SIZE, channels: int = 3,
                        generator_dim: int = ZI2ZI_DEFAULTS["generator_dim"]) -> keras.Model:
    """(B, S, S, channels) glyphs in [-1, 1] -> [e1, ..., e6], e6 (B, 1, 1, 8 * dim) the
    bottleneck (S = 64; six stride-2 convolutions)."""
    require_positive_int("generator_dim", generator_dim)
    if image_size != 2 ** len(ENCODER_MULTIPLES):
        raise ValueError(f"image_size must be {2 ** len(ENCODER_MULTIPLES)} (six stride-2 "
                         f"layers down to 1x1, as in document 000's port); got {image_size}.")
    images = keras.Input((image_size, image_size, channels), name="glyph")
    encoded = [_conv(generator_dim, "e1_conv")(images)]
    for index, multiple in enumerate(ENCODER_MULTIPLES[1:], start=2):
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"e{index}_lrelu")(encoded[-1])
        x = _conv(generator_dim * multiple, f"e{index}_conv")(x)
        encoded.append(layers.BatchNormalization(**TF_DCGAN_BATCHNORM, name=f"e{index}_bn")(x))
    return keras.Model(images, encoded, name="encoder")


def build_zi2zi_generator(image_size: int = ZI2ZI_IMAGE_SIZE, channels: int = 3, *,
                          generator_dim: int = ZI2ZI_DEFAULTS["generator_dim"],
                          embedding_num: int = ZI2ZI_DEFAULTS["embedding_num"],
                          embedding_dim: int = ZI2ZI_DEFAULTS["embedding_dim"],
                          name: str = "zi2zi_generator") -> keras.Model:
    """[source glyphs (B, S, S, C) in [-1, 1], style ids (B,) int in [0, embedding_num)]
    -> (B, S, S, C) glyphs in [-1, 1]. The encoder is the layer named ``"encoder"``."""
    for key, value in (("embedding_num", embedding_num), ("embedding_dim", embedding_dim)):
        require_positive_int(key, value)
    source = keras.Input((image_size, image_size, channels), name="source")
    style = keras.Input((), dtype="int32", name="style")
    encoded = build_zi2zi_encoder(image_size, channels, generator_dim)(source)
    embedding = layers.Embedding(embedding_num, embedding_dim, trainable=False,
                                 embeddings_initializer=keras.initializers.RandomNormal(0.0, 0.01),
                                 name="style_embedding")(style)
    embedding = layers.Reshape((1, 1, embedding_dim), name="style_map")(embedding)
    x = layers.Concatenate(name="bottleneck")([encoded[-1], embedding])
    decoder_multiples = ENCODER_MULTIPLES[-2::-1]  # d1..d5 mirror e5..e1
    for index, multiple in enumerate(decoder_multiples, start=1):
        x = layers.ReLU(name=f"d{index}_relu")(x)
        x = layers.Conv2DTranspose(generator_dim * multiple, 5, strides=2, padding="same",
                                   kernel_initializer=dcgan_initializer(), name=f"d{index}_deconv")(x)
        x = layers.BatchNormalization(**TF_DCGAN_BATCHNORM, name=f"d{index}_bn")(x)
        if index in DROPOUT_DECODER_LAYERS:
            x = layers.Dropout(0.5, name=f"d{index}_dropout")(x)
        x = layers.Concatenate(name=f"d{index}_skip")([x, encoded[-1 - index]])
    last = len(decoder_multiples) + 1
    x = layers.ReLU(name=f"d{last}_relu")(x)
    image = layers.Conv2DTranspose(channels, 5, strides=2, padding="same", activation="tanh",
                                   kernel_initializer=dcgan_initializer(), name=f"d{last}_deconv")(x)
    return keras.Model([source, style], image, name=name)


def build_zi2zi_discriminator(image_size: int = ZI2ZI_IMAGE_SIZE, channels: int = 3, *,
                              discriminator_dim: int = ZI2ZI_DEFAULTS["discriminator_dim"],
                              embedding_num: int = ZI2ZI_DEFAULTS["embedding_num"],
                              name: str = "zi2zi_discriminator") -> keras.Model:
    """(B, S, S, 2C): source and target glyphs concatenated -> [real/fake logit (B, 1),
    category logits (B, embedding_num)]."""
    require_positive_int("discriminator_dim", discriminator_dim)
    require_positive_int("embedding_num", embedding_num)
    pair = keras.Input((image_size, image_size, 2 * channels), name="source_and_target")
    x = layers.LeakyReLU(LEAKY_SLOPE, name="h0_lrelu")(_conv(discriminator_dim, "h0_conv")(pair))
    for index, (multiple, strides) in enumerate(((2, 2), (4, 2), (8, 1)), start=1):
        x = _conv(discriminator_dim * multiple, f"h{index}_conv", strides)(x)
        x = layers.BatchNormalization(**TF_DCGAN_BATCHNORM, name=f"h{index}_bn")(x)
        x = layers.LeakyReLU(LEAKY_SLOPE, name=f"h{index}_lrelu")(x)
    x = layers.Flatten(name="flatten")(x)
    real = layers.Dense(1, kernel_initializer=dcgan_initializer(), name="real_fake")(x)
    category = layers.Dense(embedding_num, kernel_initializer=dcgan_initializer(), name="category")(x)
    return keras.Model(pair, [real, category], name=name)
