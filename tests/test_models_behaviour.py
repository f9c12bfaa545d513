"""Forward passes, frozen parts, saving/export and argument errors of the builders."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from mitlgan.models import build_mitlgan_generator, build_wgan_critic, build_wgan_generator


def _small_parts(image_size=32, latent_dim=64):
    foreground = build_wgan_generator(latent_dim, image_size, name="foreground_generator")
    background = build_wgan_generator(latent_dim, image_size, name="background_generator")
    return foreground, background


def _noise(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype("float32") for shape in shapes]


# ---- thesis-size forward passes (batch 1) --------------------------------------------


def test_thesis_wgan_generator_forward():
    generator = build_wgan_generator()
    (z,) = _noise((1, 1536))
    images = np.asarray(generator(z, training=False))
    assert images.shape == (1, 128, 128, 3)
    assert np.isfinite(images).all()
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_thesis_critic_forward():
    critic = build_wgan_critic()
    image = np.random.default_rng(0).uniform(-1, 1, (1, 128, 128, 3)).astype("float32")
    scores = np.asarray(critic(image, training=False))
    assert scores.shape == (1, 1)
    assert np.isfinite(scores).all()


@pytest.mark.parametrize("output_activation", ["relu", "tanh"])
def test_thesis_mitlgan_forward(output_activation):
    foreground, background = (build_wgan_generator(name=n) for n in ("fg", "bg"))
    model = build_mitlgan_generator(foreground, background, output_activation=output_activation)
    z_fg, z_bg = _noise((1, 1536), (1, 1536))
    images = np.asarray(model([z_fg, z_bg], training=False))
    assert images.shape == (1, 128, 128, 3)
    assert np.isfinite(images).all()
    if output_activation == "relu":
        # IN + ReLU: never below 0, the middle of the [-1, 1] image range.
        assert images.min() >= 0.0
        assert (images > 0).any()
    else:
        assert images.min() >= -1.0 and images.max() <= 1.0
        assert (images < 0).any()


# ---- smaller sizes keep the structure --------------------------------------------------


@pytest.mark.parametrize("image_size, convs", [(32, 2), (64, 3), (16, 1)])
def test_generator_small_sizes_have_fewer_stages(image_size, convs):
    generator = build_wgan_generator(latent_dim=128, image_size=image_size)
    assert tuple(generator.output.shape[1:]) == (image_size, image_size, 3)
    upsamplings = [layer for layer in generator.layers if isinstance(layer, keras.layers.UpSampling2D)]
    assert len(upsamplings) == convs + 1
    # Widths still halve from latent_dim / 16 = 8 channels.
    widths = [generator.get_layer(f"conv{k}").filters for k in range(1, convs + 1)]
    assert widths == [8 // 2**k for k in range(1, convs + 1)]


def test_narrow_widths_by_argument():
    generator = build_wgan_generator(latent_dim=32, image_size=32, initial_channels=16, channels=(8, 4))
    assert generator.get_layer("dense").units == 4 * 4 * 16
    critic = build_wgan_critic(32, channels=(4, 8, 16, 32))
    assert tuple(critic.get_layer("conv4").output.shape[1:]) == (2, 2, 32)
    assert critic.get_layer("score").count_params() == 2 * 2 * 32 + 1


def test_small_mitlgan_structure():
    foreground, background = _small_parts(32)
    model = build_mitlgan_generator(foreground, background, filters=8, num_blocks=3)
    assert tuple(model.get_layer("down2").output.shape[1:]) == (8, 8, 32)
    assert model.get_layer("block3_concat").output.shape[-1] == 32 * 4
    assert tuple(model.output.shape[1:]) == (32, 32, 3)


# ---- frozen parts ---------------------------------------------------------------------


def test_frozen_parts_identical_in_training_and_inference():
    foreground, background = _small_parts(32)
    model = build_mitlgan_generator(foreground, background, filters=4, num_blocks=1)
    z_fg, z_bg = _noise((4, 64), (4, 64), seed=3)
    # Nudge the BN moving statistics away from their initial values so that batch
    # statistics (training) and moving statistics (inference) would differ.
    for part in (foreground, background):
        for layer in part.layers:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.moving_mean.assign(layer.moving_mean + 0.5)
                layer.moving_variance.assign(layer.moving_variance * 3.0)
    # The concatenation's inputs are the two part images inside the MITLGAN graph.
    probe = keras.Model(model.inputs, model.get_layer("merge_concat").input)
    fg_train, bg_train = (np.asarray(t) for t in probe([z_fg, z_bg], training=True))
    fg_infer, bg_infer = (np.asarray(t) for t in probe([z_fg, z_bg], training=False))
    np.testing.assert_array_equal(fg_train, fg_infer)
    np.testing.assert_array_equal(bg_train, bg_infer)
    np.testing.assert_array_equal(fg_infer, np.asarray(foreground(z_fg, training=False)))
    # An unfrozen part in training mode would have used batch statistics and differed,
    # so the equality above is not trivially true.
    foreground.trainable = True
    assert not np.allclose(np.asarray(foreground(z_fg, training=True)), fg_infer)
    foreground.trainable = False
    before = [w.numpy().copy() for w in foreground.weights]
    model([z_fg, z_bg], training=True)
    for old, new in zip(before, foreground.weights):
        np.testing.assert_array_equal(old, new.numpy())


def test_frozen_parts_have_no_trainable_weights():
    foreground, background = _small_parts(32)
    model = build_mitlgan_generator(foreground, background, filters=4, num_blocks=1)
    trainable = {id(w) for w in model.trainable_weights}
    frozen = {id(w) for w in foreground.weights + background.weights}
    assert trainable and not (trainable & frozen)
    assert len(model.trainable_weights) + len(model.non_trainable_weights) == len(model.weights)


# ---- saving and export ----------------------------------------------------------------


def _models_for_saving():
    foreground, background = _small_parts(32)
    mitlgan = build_mitlgan_generator(foreground, background, filters=4, num_blocks=2)
    generator = build_wgan_generator(64, 32, name="combined_generator")
    critic = build_wgan_critic(32, channels=(4, 8, 16, 32))
    z = _noise((2, 64), (2, 64), seed=5)
    image = np.random.default_rng(6).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    return [(generator, z[0]), (critic, image), (mitlgan, z)]


def _ids(cases):
    return [model.name for model, _ in cases]


SAVE_CASES = _models_for_saving()


@pytest.mark.parametrize("model, inputs", SAVE_CASES, ids=_ids(SAVE_CASES))
def test_keras_save_load_reproduces_outputs(tmp_path, model, inputs):
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.count_params() == model.count_params()
    assert len(loaded.trainable_weights) == len(model.trainable_weights)
    np.testing.assert_array_equal(np.asarray(loaded(inputs, training=False)),
                                  np.asarray(model(inputs, training=False)))


@pytest.mark.parametrize("model, inputs", SAVE_CASES, ids=_ids(SAVE_CASES))
def test_export_savedmodel_serves_same_outputs(tmp_path, model, inputs):
    path = tmp_path / f"{model.name}_savedmodel"
    model.export(str(path), verbose=False)
    served = tf.saved_model.load(str(path))
    got = served.serve(inputs)
    np.testing.assert_allclose(np.asarray(got), np.asarray(model(inputs, training=False)),
                               rtol=0, atol=1e-6)


# ---- argument errors ------------------------------------------------------------------


@pytest.mark.parametrize("image_size", [100, 48, 4, 0, 128.0])
def test_generator_rejects_unproducible_sizes(image_size):
    with pytest.raises(ValueError, match=f"image_size={image_size!r}"):
        build_wgan_generator(latent_dim=64, image_size=image_size)


def test_generator_rejects_unreshapable_latent():
    with pytest.raises(ValueError, match="latent_dim=100"):
        build_wgan_generator(latent_dim=100, image_size=32)


def test_generator_rejects_widths_that_vanish():
    with pytest.raises(ValueError, match="reach zero"):
        build_wgan_generator(latent_dim=32, image_size=128)


@pytest.mark.parametrize("image_size", [100, 8, 24])
def test_critic_rejects_unsupported_sizes(image_size):
    with pytest.raises(ValueError, match=f"image_size={image_size}.*multiple of 16"):
        build_wgan_critic(image_size)


def test_mitlgan_rejects_mismatched_part_shapes():
    foreground = build_wgan_generator(64, 32, name="foreground_generator")
    background = build_wgan_generator(64, 16, name="background_generator")
    with pytest.raises(ValueError, match=r"foreground \(32, 32, 3\), background \(16, 16, 3\)"):
        build_mitlgan_generator(foreground, background)


def test_mitlgan_rejects_part_with_two_inputs():
    foreground, background = _small_parts(32)
    a, b = keras.Input((64,)), keras.Input((64,))
    two_input = keras.Model([a, b], foreground(keras.layers.Add()([a, b])), name="two_input")
    with pytest.raises(ValueError, match="background_generator 'two_input' has 2 inputs"):
        build_mitlgan_generator(foreground, two_input)


def test_mitlgan_rejects_non_model_and_same_names_and_bad_activation():
    foreground, background = _small_parts(32)
    with pytest.raises(ValueError, match="must be a keras.Model"):
        build_mitlgan_generator(foreground, lambda z: z)
    twin = build_wgan_generator(64, 32, name="foreground_generator")
    with pytest.raises(ValueError, match="Both generators are named 'foreground_generator'"):
        build_mitlgan_generator(foreground, twin)
    with pytest.raises(ValueError, match="output_activation='sigmoid'.*'relu', 'tanh'"):
        build_mitlgan_generator(foreground, background, output_activation="sigmoid")


def test_mitlgan_rejects_size_the_head_cannot_restore():
    foreground, background = _small_parts(16)
    with pytest.raises(ValueError, match="multiples of 32"):
        build_mitlgan_generator(foreground, background, num_downsamples=5)
