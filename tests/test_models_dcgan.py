"""Document 001's DCGAN layer by layer, parameter counts computed by hand."""

import numpy as np

from mitlgan.models import build_dcgan_discriminator, build_dcgan_generator


def conv(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


def bn(c):
    return 4 * c  # gamma, beta, moving mean, moving variance


def table(model):
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers if layer.count_params()]


def test_generator_table():
    generator = build_dcgan_generator()
    assert table(generator) == [
        ("project", (8192,), 100 * 8192 + 8192), ("bn0", (4, 4, 512), bn(512)),
        ("deconv1", (8, 8, 256), conv(5, 512, 256)), ("bn1", (8, 8, 256), bn(256)),
        ("deconv2", (16, 16, 128), conv(5, 256, 128)), ("bn2", (16, 16, 128), bn(128)),
        ("deconv3", (32, 32, 64), conv(5, 128, 64)), ("bn3", (32, 32, 64), bn(64)),
        ("image", (64, 64, 3), conv(5, 64, 3))]
    assert generator.count_params() == 5_137_283
    assert generator.get_layer("bn1").epsilon == 1e-5 and generator.get_layer("bn1").momentum == 0.9


def test_discriminator_table_with_and_without_the_first_batchnorm():
    report = build_dcgan_discriminator()
    assert table(report) == [
        ("conv0", (32, 32, 64), conv(5, 3, 64)), ("bn0", (32, 32, 64), bn(64)),
        ("conv1", (16, 16, 128), conv(5, 64, 128)), ("bn1", (16, 16, 128), bn(128)),
        ("conv2", (8, 8, 256), conv(5, 128, 256)), ("bn2", (8, 8, 256), bn(256)),
        ("conv3", (4, 4, 512), conv(5, 256, 512)), ("bn3", (4, 4, 512), bn(512)),
        ("score_map", (1, 1, 1), conv(4, 512, 1))]
    assert report.count_params() == 4_318_593
    template = build_dcgan_discriminator(first_batchnorm=False)
    assert template.count_params() == 4_318_593 - bn(64)


def test_small_models_run_and_initialise_like_the_template():
    generator = build_dcgan_generator(16, base_channels=32)
    discriminator = build_dcgan_discriminator(base_channels=8)
    images = np.asarray(generator(np.random.default_rng(0).standard_normal((2, 16)), training=False))
    assert images.shape == (2, 64, 64, 3) and np.abs(images).max() <= 1
    scores = np.asarray(discriminator(images, training=False))
    assert scores.shape == (2, 1) and np.all((scores > 0) & (scores < 1))
    kernel = np.asarray(build_dcgan_generator().get_layer("deconv1").kernel)
    assert abs(kernel.std() - 0.02) < 0.001 and abs(kernel.mean()) < 0.001


def test_stacked_mnist_size_drops_one_stride_two_layer_each_side():
    generator = build_dcgan_generator(image_size=32, base_channels=256)
    assert table(generator) == [
        ("project", (4096,), 100 * 4096 + 4096), ("bn0", (4, 4, 256), bn(256)),
        ("deconv1", (8, 8, 128), conv(5, 256, 128)), ("bn1", (8, 8, 128), bn(128)),
        ("deconv2", (16, 16, 64), conv(5, 128, 64)), ("bn2", (16, 16, 64), bn(64)),
        ("image", (32, 32, 3), conv(5, 64, 3))]
    discriminator = build_dcgan_discriminator(image_size=32)
    assert table(discriminator) == [
        ("conv0", (16, 16, 64), conv(5, 3, 64)), ("bn0", (16, 16, 64), bn(64)),
        ("conv1", (8, 8, 128), conv(5, 64, 128)), ("bn1", (8, 8, 128), bn(128)),
        ("conv2", (4, 4, 256), conv(5, 128, 256)), ("bn2", (4, 4, 256), bn(256)),
        ("score_map", (1, 1, 1), conv(4, 256, 1))]


def test_image_size_must_be_a_power_of_two():
    import pytest

    for size in (4, 48, 0):
        with pytest.raises(ValueError, match="image_size"):
            build_dcgan_generator(image_size=size)


def test_the_pytorch_tutorials_dcgan_has_its_parameters_to_the_unit():
    import numpy as np

    from mitlgan.models import build_tutorial_dcgan_discriminator, build_tutorial_dcgan_generator

    def trainable(model):
        return sum(int(np.prod(w.shape)) for w in model.trainable_weights)

    generator, discriminator = build_tutorial_dcgan_generator(), build_tutorial_dcgan_discriminator()
    # by hand (kernels 4x4, no biases; BatchNorm's scale and offset):
    # G: 100*512*16 + 512*256*16 + 256*128*16 + 128*64*16 + 64*3*16 + 2*(512+256+128+64)
    assert trainable(generator) == 3_576_704
    # D: 3*64*16 + 64*128*16 + 128*256*16 + 256*512*16 + 512*1*16 + 2*(128+256+512)
    assert trainable(discriminator) == 2_765_568
    z = np.random.default_rng(0).standard_normal((2, 100)).astype("float32")
    images = generator(z, training=False)
    assert images.shape == (2, 64, 64, 3) and float(np.abs(images).max()) <= 1.0
    scores = discriminator(images, training=False)
    assert scores.shape == (2, 1) and 0.0 <= float(np.min(scores)) <= float(np.max(scores)) <= 1.0
