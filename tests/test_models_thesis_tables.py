"""The thesis models against the parameter counts printed in Tables 7.1-7.3.

Every expected number below, and every row of ``mitlgan.models.THESIS_TABLES``, is
copied from the thesis (../shared/seeds/004_c8bd0bddebda802e.txt), not computed from
our models.
"""

import numpy as np
import pytest

from mitlgan.layers import InstanceNormalization
from mitlgan.models import (
    THESIS_TABLES,
    build_mitlgan_generator,
    build_wgan_critic,
    build_wgan_generator,
    compare_with_thesis,
)


def _count(weights):
    return int(sum(np.prod(w.shape) for w in weights))


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


def test_wgan_generator_intermediate_shapes(thesis_wgan_generator):
    model = thesis_wgan_generator
    assert tuple(model.get_layer("reshape").output.shape[1:]) == (4, 4, 96)
    assert tuple(model.get_layer("up1").output.shape[1:]) == (8, 8, 96)
    assert tuple(model.get_layer("up5").output.shape[1:]) == (128, 128, 6)
    assert tuple(model.output.shape[1:]) == (128, 128, 3)


def test_critic_totals(thesis_critic):
    assert thesis_critic.count_params() == 2_448_097
    assert _count(thesis_critic.trainable_weights) == 2_448_097


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


def test_printed_rows_add_up_to_the_captions_totals():
    # The transcription of every row against the totals the captions print.
    generator, critic, head = (THESIS_TABLES[t] for t in ("7.1", "7.2", "7.3"))
    assert sum(r.params for r in generator.rows) == generator.total == 2_421_054
    assert sum(r.params for r in critic.rows) == critic.total == 2_448_097
    # Table 7.3 omits one InstanceNorm (512, see below) and the two frozen generators.
    assert sum(r.params for r in head.rows) + 512 == head.trainable == 18_461_982
    assert head.total - head.trainable == 2 * generator.total


@pytest.mark.parametrize("table, model_fixture", [
    ("7.1", "thesis_wgan_generator"), ("7.2", "thesis_critic"), ("7.3", "thesis_mitlgan")])
def test_every_printed_row_and_total_matches_our_model(request, table, model_fixture):
    model = request.getfixturevalue(model_fixture)
    frame = compare_with_thesis(model, table)
    assert len(frame) == len(THESIS_TABLES[table].rows) + 2
    assert frame["match"].all(), frame[~frame["match"]].to_string()
    assert (frame["printed params"] == frame["our params"]).all()


def test_a_different_model_is_shown_as_a_mismatch():
    frame = compare_with_thesis(build_wgan_generator(latent_dim=1024), "7.1")
    dense = frame[frame["our layers"] == "dense + dense_bn"].iloc[0]
    # the dense layer keeps the latent width: 1024 -> 1024 without bias, plus
    # BatchNorm's four vectors of 1024
    assert dense["our params"] == 1024 * 1024 + 4 * 1024 and not dense["match"]
    assert dense["our shape"] == "(1024,)" and dense["printed shape"] == "(1, 1, 1536)"
    assert not frame["match"].iloc[-2]  # the caption's total
    assert not frame["match"].iloc[0]  # the input row: (1024,) against (1, 1, 1536)


def test_comparison_refuses_an_unknown_table_or_a_model_without_the_layers():
    critic = build_wgan_critic(32, channels=(4, 8, 8, 8))
    with pytest.raises(ValueError, match="unknown thesis table '7.9'"):
        compare_with_thesis(critic, "7.9")
    with pytest.raises(ValueError, match="no layer.*merge_concat"):
        compare_with_thesis(critic, "7.3")


def test_mitlgan_row_printed_without_its_instance_norm(thesis_mitlgan):
    # Reading note: the row "Convolutional (32,32,256) 295168" omits its IN
    # parameters (295168 = 9*128*256 + 256); the trainable total 18,461,982
    # includes them (+512), which test_mitlgan_totals checks.
    model = thesis_mitlgan
    assert model.get_layer("down2").count_params() == 295_168
    assert isinstance(model.get_layer("down2_in"), InstanceNormalization)
    assert model.get_layer("down2_in").count_params() == 512


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
