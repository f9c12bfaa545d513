"""zi2zi at 64x64 layer by layer (document 000's port: dims 16, 10 styles, embedding 32)."""

import numpy as np
import pytest

from mitlgan.models.zi2zi import build_zi2zi_discriminator, build_zi2zi_generator


def conv(c_in, c_out, k=5):
    return k * k * c_in * c_out + c_out


def bn(c):
    return 4 * c  # gamma, beta, moving mean, moving variance


def table(model):
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers if layer.count_params() and layer.name != "encoder"]


def test_encoder_table():
    encoder = build_zi2zi_generator().get_layer("encoder")
    assert table(encoder) == [
        ("e1_conv", (32, 32, 16), conv(3, 16)),
        ("e2_conv", (16, 16, 32), conv(16, 32)), ("e2_bn", (16, 16, 32), bn(32)),
        ("e3_conv", (8, 8, 64), conv(32, 64)), ("e3_bn", (8, 8, 64), bn(64)),
        ("e4_conv", (4, 4, 128), conv(64, 128)), ("e4_bn", (4, 4, 128), bn(128)),
        ("e5_conv", (2, 2, 128), conv(128, 128)), ("e5_bn", (2, 2, 128), bn(128)),
        ("e6_conv", (1, 1, 128), conv(128, 128)), ("e6_bn", (1, 1, 128), bn(128))]


def test_generator_table_and_the_bottleneck_of_the_report():
    generator = build_zi2zi_generator()
    rows = {name: (shape, count) for name, shape, count in table(generator)}
    assert rows["style_embedding"] == ((32,), 10 * 32)
    # the report's Figure 8: d1 (128 x 2 x 2) joined with e5 makes (128 + 128) x 2 x 2
    assert tuple(generator.get_layer("d1_skip").output.shape[1:]) == (2, 2, 256)
    assert tuple(generator.get_layer("bottleneck").output.shape[1:]) == (1, 1, 128 + 32)
    decoder = [("d1_deconv", (2, 2, 128), conv(160, 128)), ("d1_bn", (2, 2, 128), bn(128)),
               ("d2_deconv", (4, 4, 128), conv(256, 128)), ("d2_bn", (4, 4, 128), bn(128)),
               ("d3_deconv", (8, 8, 64), conv(256, 64)), ("d3_bn", (8, 8, 64), bn(64)),
               ("d4_deconv", (16, 16, 32), conv(128, 32)), ("d4_bn", (16, 16, 32), bn(32)),
               ("d5_deconv", (32, 32, 16), conv(64, 16)), ("d5_bn", (32, 32, 16), bn(16)),
               ("d6_deconv", (64, 64, 3), conv(32, 3))]
    for name, shape, count in decoder:
        assert rows[name] == (shape, count), name
    encoder = generator.get_layer("encoder").count_params()
    assert generator.count_params() == encoder + 320 + sum(c for _, _, c in decoder)
    # trainable: no BN moving statistics (2 x 848 channels), no embedding (zi2zi keeps it fixed)
    trainable = sum(int(np.prod(v.shape)) for v in generator.trainable_variables)
    assert trainable == generator.count_params() - 2 * 848 - 320
    assert [layer.name for layer in generator.layers if "dropout" in layer.name] == [
        "d1_dropout", "d2_dropout"]


def test_discriminator_table():
    discriminator = build_zi2zi_discriminator()
    assert table(discriminator) == [
        ("h0_conv", (32, 32, 16), conv(6, 16)),
        ("h1_conv", (16, 16, 32), conv(16, 32)), ("h1_bn", (16, 16, 32), bn(32)),
        ("h2_conv", (8, 8, 64), conv(32, 64)), ("h2_bn", (8, 8, 64), bn(64)),
        ("h3_conv", (8, 8, 128), conv(64, 128)), ("h3_bn", (8, 8, 128), bn(128)),
        ("real_fake", (1,), 8 * 8 * 128 + 1), ("category", (10,), 8 * 8 * 128 * 10 + 10)]


def test_one_small_forward_pass_and_the_style_changes_the_output():
    generator = build_zi2zi_generator()
    sources = np.random.default_rng(0).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    a = np.asarray(generator([sources, np.array([0, 0])], training=False))
    b = np.asarray(generator([sources, np.array([0, 7])], training=False))
    assert a.shape == (2, 64, 64, 3) and np.abs(a).max() <= 1
    np.testing.assert_array_equal(a[0], b[0])
    assert np.abs(a[1] - b[1]).max() > 0
    real, category = build_zi2zi_discriminator()(np.concatenate([sources, a], -1))
    assert real.shape == (2, 1) and category.shape == (2, 10)


def test_only_64x64_is_built():
    with pytest.raises(ValueError, match="image_size must be 64"):
        build_zi2zi_generator(image_size=32)
