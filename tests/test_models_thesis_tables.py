"""The thesis models against the parameter counts printed in Tables 7.1-7.3.

Every expected number below is copied from the thesis
(../shared/seeds/004_c8bd0bddebda802e.txt), not computed from our models.
"""

import numpy as np
import pytest

from mitlgan.layers import InstanceNormalization
from mitlgan.models import build_mitlgan_generator, build_wgan_critic, build_wgan_generator


def _count(weights):
    return int(sum(np.prod(w.shape) for w in weights))


def _row_params(model, conv_name, norm_suffix):
    """Parameters of one table row: the convolution/dense plus its normalisation."""
    params = model.get_layer(conv_name).count_params()
    try:
        params += model.get_layer(conv_name + norm_suffix).count_params()
    except ValueError:
        pass
    return params


@pytest.fixture(scope="module")
def thesis_wgan_generator():
    return build_wgan_generator()


@pytest.fixture(scope="module")
def thesis_critic():
    return build_wgan_critic()


@pytest.fixture(scope="module")
def thesis_mitlgan():
    foreground = build_wgan_generator(name="foreground_generator")
    background = build_wgan_generator(name="background_generator")
    return build_mitlgan_generator(foreground, background)


def test_wgan_generator_totals(thesis_wgan_generator):
    model = thesis_wgan_generator
    assert model.count_params() == 2_421_054
    assert _count(model.trainable_weights) == 2_417_796
    # The difference is the BN moving mean and variance (thesis: "only 2417796 are trainable").
    assert _count(model.non_trainable_weights) == 2_421_054 - 2_417_796


# Table 7.1: (layer name in our model, output shape, parameters incl. batch norm).
TABLE_7_1 = [
    ("dense", (1536,), 2_365_440),
    ("conv1", (8, 8, 48), 41_664),
    ("conv2", (16, 16, 24), 10_464),
    ("conv3", (32, 32, 12), 2_640),
    ("conv4", (64, 64, 6), 672),
    ("to_image", (128, 128, 3), 174),
]


@pytest.mark.parametrize("layer_name, shape, params", TABLE_7_1)
def test_wgan_generator_rows(thesis_wgan_generator, layer_name, shape, params):
    model = thesis_wgan_generator
    assert tuple(model.get_layer(layer_name).output.shape[1:]) == shape
    assert _row_params(model, layer_name, "_bn") == params


def test_wgan_generator_intermediate_shapes(thesis_wgan_generator):
    model = thesis_wgan_generator
    assert tuple(model.get_layer("reshape").output.shape[1:]) == (4, 4, 96)
    assert tuple(model.get_layer("up1").output.shape[1:]) == (8, 8, 96)
    assert tuple(model.get_layer("up5").output.shape[1:]) == (128, 128, 6)
    assert tuple(model.output.shape[1:]) == (128, 128, 3)


def test_critic_totals(thesis_critic):
    assert thesis_critic.count_params() == 2_448_097
    assert _count(thesis_critic.trainable_weights) == 2_448_097


TABLE_7_2 = [
    ("conv1", (64, 64, 48), 3_648),
    ("conv2", (32, 32, 96), 115_296),
    ("conv3", (16, 16, 192), 460_992),
    ("conv4", (8, 8, 384), 1_843_584),
    ("score", (1,), 24_577),
]


@pytest.mark.parametrize("layer_name, shape, params", TABLE_7_2)
def test_critic_rows(thesis_critic, layer_name, shape, params):
    layer = thesis_critic.get_layer(layer_name)
    assert tuple(layer.output.shape[1:]) == shape
    assert layer.count_params() == params


def test_critic_dropout_placement(thesis_critic):
    # Table 7.2 puts Dropout(0.3) after the (16,16,192) convolution and after Flatten.
    dropouts = [layer for layer in thesis_critic.layers if layer.__class__.__name__ == "Dropout"]
    assert [d.name for d in dropouts] == ["conv3_dropout", "flatten_dropout"]
    assert all(d.rate == pytest.approx(0.3) for d in dropouts)
    assert tuple(thesis_critic.get_layer("flatten").output.shape[1:]) == (24_576,)


def test_mitlgan_totals(thesis_mitlgan):
    model = thesis_mitlgan
    assert model.count_params() == 23_304_090
    assert _count(model.trainable_weights) == 18_461_982


# Table 7.3, row by row: (our layer, output shape, parameters as printed).
TABLE_7_3 = [
    ("merge_conv", (128, 128, 3), 21),
    # Reading note: the caption says the 7x7 kernels sit where the output is
    # (64, 64, 128); the printed counts put them at the first (3 -> 64) and the
    # last (64 -> 3) convolutions: 9600 = 49*3*64 + 64 + 128 and
    # 9417 = 49*64*3 + 3 + 6. The (64, 64, 128) one is 3x3:
    # 2064768 = 9*1792*128 + 128 + 256.
    ("stem", (128, 128, 64), 9_600),
    ("down1", (64, 64, 128), 74_112),
    ("block1_a", (32, 32, 256), 590_592),
    ("block1_b", (32, 32, 256), 590_592),
    ("block2_a", (32, 32, 256), 1_180_416),
    ("block2_b", (32, 32, 256), 590_592),
    ("block3_a", (32, 32, 256), 1_770_240),
    ("block3_b", (32, 32, 256), 590_592),
    ("block4_a", (32, 32, 256), 2_360_064),
    ("block4_b", (32, 32, 256), 590_592),
    ("block5_a", (32, 32, 256), 2_949_888),
    ("block5_b", (32, 32, 256), 590_592),
    ("block6_a", (32, 32, 256), 3_539_712),
    ("block6_b", (32, 32, 256), 590_592),
    ("up2_conv", (64, 64, 128), 2_064_768),
    ("up1_conv", (128, 128, 64), 73_920),
    ("to_image", (128, 128, 3), 9_417),
]


@pytest.mark.parametrize("layer_name, shape, params", TABLE_7_3)
def test_mitlgan_rows(thesis_mitlgan, layer_name, shape, params):
    model = thesis_mitlgan
    assert tuple(model.get_layer(layer_name).output.shape[1:]) == shape
    assert _row_params(model, layer_name, "_in") == params


def test_mitlgan_row_printed_without_its_instance_norm(thesis_mitlgan):
    # Reading note: the row "Convolutional (32,32,256) 295168" omits its IN
    # parameters (295168 = 9*128*256 + 256); the trainable total 18,461,982
    # includes them (+512), which test_mitlgan_totals checks.
    model = thesis_mitlgan
    assert model.get_layer("down2").count_params() == 295_168
    assert isinstance(model.get_layer("down2_in"), InstanceNormalization)
    assert model.get_layer("down2_in").count_params() == 512
    row_sum = sum(p for _, _, p in TABLE_7_3) + 295_168 + 512
    assert row_sum == 18_461_982


def test_mitlgan_concatenations(thesis_mitlgan):
    expected = {"merge_concat": 6, "block1_concat": 512, "block2_concat": 768,
                "block3_concat": 1024, "block4_concat": 1280, "block5_concat": 1536,
                "block6_concat": 1792}
    for name, channels in expected.items():
        assert thesis_mitlgan.get_layer(name).output.shape[-1] == channels
    assert tuple(thesis_mitlgan.get_layer("up2").output.shape[1:]) == (64, 64, 1792)


def test_mitlgan_first_block_has_no_relu_after_its_first_conv(thesis_mitlgan):
    names = {layer.name for layer in thesis_mitlgan.layers}
    assert "block1_a_relu" not in names
    assert {"block1_b_relu", "block2_a_relu", "block6_a_relu"} <= names


def test_frozen_generators_not_trainable(thesis_mitlgan):
    trainable_ids = {id(w) for w in thesis_mitlgan.trainable_weights}
    for part in ("foreground_generator", "background_generator"):
        generator = thesis_mitlgan.get_layer(part)
        assert not generator.trainable
        assert all(id(w) not in trainable_ids for w in generator.weights)
