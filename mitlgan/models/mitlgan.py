"""The MITLGAN generator (thesis Table 7.3): two frozen pretrained generators,
their images concatenated, merged by a learnable 1x1 convolution and refined by
an InstanceNorm dense-residual head.

At the defaults, around two thesis WGAN generators, it has 23,304,090 parameters,
18,461,982 of them trainable.
"""

import keras
from keras import layers

from mitlgan._checks import require_non_negative_int, require_positive_int
from mitlgan.layers import InstanceNormalization

#: "relu": the thesis's last layer (Conv 7x7 -> IN -> ReLU), outputs in [0, inf), so
#: never below the middle of the [-1, 1] image range. "tanh": the corrected variant
#: (Conv 7x7 -> tanh, no IN), outputs in [-1, 1].
OUTPUT_ACTIVATIONS = ("relu", "tanh")


def _conv_in(x, filters, kernel_size, name, strides=1, relu=True):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", name=name)(x)
    x = InstanceNormalization(name=f"{name}_in")(x)
    if relu:
        x = layers.ReLU(name=f"{name}_relu")(x)
    return x


def _check_part_generator(role, generator):
    if not isinstance(generator, keras.Model):
        raise ValueError(
            f"{role}_generator must be a keras.Model (e.g. from build_wgan_generator or "
            f"keras.saving.load_model), got {type(generator).__name__}."
        )
    if len(generator.inputs) != 1:
        raise ValueError(
            f"{role}_generator {generator.name!r} has {len(generator.inputs)} inputs; a MITLGAN "
            "part must be a generator with exactly one latent input."
        )
    if len(generator.outputs) != 1 or len(generator.outputs[0].shape) != 4:
        shapes = [tuple(o.shape) for o in generator.outputs]
        raise ValueError(
            f"{role}_generator {generator.name!r} outputs {shapes}; a MITLGAN part must output "
            "one image batch of shape (B, S, S, C)."
        )


def build_mitlgan_generator(
    foreground_generator,
    background_generator,
    *,
    filters=64,
    num_downsamples=2,
    num_blocks=6,
    output_activation="relu",
    name="mitlgan_generator",
):
    """Build the MITLGAN generator (thesis Table 7.3) around two pretrained generators.

    Both given generators are frozen in place (``trainable = False``; their BatchNorm
    layers then run in inference mode, with the moving statistics, even in training).
    Structure, with f = ``filters`` and d = ``num_downsamples``::

        z_fg (latent_fg,) -> foreground_generator -> (S, S, C) ┐
        z_bg (latent_bg,) -> background_generator -> (S, S, C) ┴ Concatenate (S, S, 2C)
        Conv2D(3, 1x1, ReLU)                                     merge
        Conv2D(f, 7x7) IN ReLU
        d x Conv2D(f·2^i, 3x3, stride 2) IN ReLU                 down to S / 2^d
        block 1:  a = Conv(f·2^d)(x) IN;  b = Conv(f·2^d)(a) IN ReLU;  x = concat[x, b]
        block k:  a = Conv(f·2^d)(x) IN ReLU;  b = Conv(f·2^d)(a) IN ReLU;  x = concat[x, b]
        d x [UpSampling2D(2) -> Conv2D(f·2^(i-1), 3x3) IN ReLU]   back to S
        Conv2D(3, 7x7) IN ReLU   (output_activation="relu", the thesis)
        Conv2D(3, 7x7) tanh      (output_activation="tanh", the corrected variant)

    All head convolutions have biases; IN has a scale and an offset per channel.

    Args:
        foreground_generator: ``keras.Model`` with one latent input, output (B, S, S, C).
        background_generator: same, with the same output shape.
        filters: width of the first head convolution (thesis: 64).
        num_downsamples: stride-2 stages before the residual blocks (thesis: 2, so the
            blocks run at 32x32 for 128x128 images).
        num_blocks: dense-residual blocks (thesis: 6).
        output_activation: one of :data:`OUTPUT_ACTIVATIONS`; "relu" is the thesis.
        name: model name.

    Returns:
        ``keras.Model`` with inputs ``[z_foreground, z_background]`` (each (B, latent_dim)
        of its generator) and output (B, S, S, 3) float32: in [0, inf) for "relu"
        (IN + ReLU, in practice a few units at most), in [-1, 1] for "tanh".

    Raises:
        ValueError: a part that is not a single-input image generator, parts whose output
            shapes differ, an image size the down/up stages cannot divide, or an unknown
            output activation.
    """
    _check_part_generator("foreground", foreground_generator)
    _check_part_generator("background", background_generator)
    foreground_shape = tuple(foreground_generator.outputs[0].shape[1:])
    background_shape = tuple(background_generator.outputs[0].shape[1:])
    if foreground_shape != background_shape:
        raise ValueError(
            f"The generators' output shapes differ: foreground {foreground_shape}, background "
            f"{background_shape}. Both parts must make images of the same size and channels."
        )
    if foreground_generator is background_generator:
        raise ValueError(
            "foreground_generator and background_generator are the same model object; MITLGAN "
            "needs two separately pretrained generators."
        )
    if foreground_generator.name == background_generator.name:
        raise ValueError(
            f"Both generators are named {foreground_generator.name!r}; layer names in a Keras "
            "model must be unique. Build or load them with different names, e.g. "
            "build_wgan_generator(..., name='foreground_generator')."
        )
    if output_activation not in OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"output_activation={output_activation!r} is not supported; choose one of "
            f"{OUTPUT_ACTIVATIONS} ('relu' is the thesis's IN+ReLU, 'tanh' the corrected output)."
        )
    require_positive_int("filters", filters)
    require_positive_int("num_blocks", num_blocks)
    require_non_negative_int("num_downsamples", num_downsamples)
    height, width = foreground_shape[0], foreground_shape[1]
    if height is None or width is None or height % 2**num_downsamples or width % 2**num_downsamples:
        raise ValueError(
            f"Generator images of size {height}x{width} cannot be halved {num_downsamples} times "
            f"and restored: the sides must be multiples of {2**num_downsamples}."
        )

    for part in (foreground_generator, background_generator):
        part.trainable = False

    z_foreground = keras.Input(shape=foreground_generator.inputs[0].shape[1:], name="z_foreground")
    z_background = keras.Input(shape=background_generator.inputs[0].shape[1:], name="z_background")
    # training=False pins the parts to inference mode whatever the outer call says.
    foreground = foreground_generator(z_foreground, training=False)
    background = background_generator(z_background, training=False)

    x = layers.Concatenate(name="merge_concat")([foreground, background])
    x = layers.Conv2D(3, 1, activation="relu", name="merge_conv")(x)
    x = _conv_in(x, filters, 7, "stem")
    for stage in range(1, num_downsamples + 1):
        x = _conv_in(x, filters * 2**stage, 3, f"down{stage}", strides=2)
    block_filters = filters * 2**num_downsamples
    for block in range(1, num_blocks + 1):
        # The thesis's first block leaves its first convolution without ReLU.
        a = _conv_in(x, block_filters, 3, f"block{block}_a", relu=block > 1)
        b = _conv_in(a, block_filters, 3, f"block{block}_b")
        x = layers.Concatenate(name=f"block{block}_concat")([x, b])
    for stage in range(num_downsamples, 0, -1):
        x = layers.UpSampling2D(2, name=f"up{stage}")(x)
        x = _conv_in(x, filters * 2 ** (stage - 1), 3, f"up{stage}_conv")
    if output_activation == "relu":
        x = _conv_in(x, 3, 7, "to_image")
    else:
        x = layers.Conv2D(3, 7, padding="same", name="to_image")(x)
        x = layers.Activation("tanh", name="to_image_tanh")(x)
    image = layers.Activation("linear", dtype="float32", name="image")(x)
    return keras.Model([z_foreground, z_background], image, name=name)
