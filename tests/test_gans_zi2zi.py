"""zi2zi's update: each loss term against numpy, bit-identical resume, the learning rate."""

import numpy as np
import pytest
import tensorflow as tf

from mitlgan.callbacks import SampleGrid
from mitlgan.gans.zi2zi import Zi2Zi, Zi2ZiLearningRate
from mitlgan.losses import category_loss
from mitlgan.models.zi2zi import build_zi2zi_discriminator, build_zi2zi_generator
from mitlgan.training import train


def _gan(seed=0, **kwargs):
    import keras

    keras.utils.set_random_seed(seed)
    return Zi2Zi(build_zi2zi_generator(generator_dim=4, embedding_num=3),
                 build_zi2zi_discriminator(discriminator_dim=4, embedding_num=3),
                 num_styles=3, seed=seed, **kwargs)


def _data(n=8, seed=0):
    rng = np.random.default_rng(seed)
    targets = rng.uniform(-1, 1, (n, 64, 64, 3)).astype("float32")
    sources = np.clip(targets + rng.normal(0, 0.3, targets.shape), -1, 1).astype("float32")
    return targets, sources, rng.integers(0, 3, n).astype("int32")


def _sce(logits, labels):  # numpy sigmoid cross-entropy, elementwise mean
    logits = np.asarray(logits, np.float64)
    return np.mean(np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits))))


def test_category_loss_by_hand():
    # zero logits: every element costs log 2, whatever the style
    assert float(category_loss(tf.zeros((2, 3)), [0, 2], 3)) == pytest.approx(np.log(2))
    logits = np.array([[2.0, -1.0, 0.5]])
    expected = np.mean([np.log1p(np.exp(-2.0)), np.log1p(np.exp(-1.0)), np.log1p(np.exp(0.5))])
    assert float(category_loss(logits, [0], 3)) == pytest.approx(expected, rel=1e-6)


def test_every_loss_term_matches_numpy():
    gan = _gan(loss_weights={"l1": 7.0, "const": 3.0, "category": 0.5})
    targets, sources, styles = _data(4)
    terms = {k: float(v) for k, v in gan.losses_of(targets, sources, styles, training=False).items()}
    fake = np.asarray(gan.generator([sources, styles], training=False), np.float64)
    real_logit, real_category = (np.asarray(t) for t in gan.discriminator(
        np.concatenate([sources, targets], -1), training=False))
    fake_logit, fake_category = (np.asarray(t) for t in gan.discriminator(
        np.concatenate([sources, fake.astype("float32")], -1), training=False))
    encoder = gan.generator.get_layer("encoder")
    bottleneck_source = np.asarray(encoder(sources, training=False)[-1], np.float64)
    bottleneck_fake = np.asarray(encoder(fake.astype("float32"), training=False)[-1], np.float64)
    one_hot = np.eye(3)[styles]
    expected = {
        "d_real": _sce(real_logit, 1), "d_fake": _sce(fake_logit, 0), "cheat": _sce(fake_logit, 1),
        "real_category": _sce(real_category, one_hot), "fake_category": _sce(fake_category, one_hot),
        "l1": 7.0 * np.mean(np.abs(fake - targets)),
        "const": 3.0 * np.mean((bottleneck_source - bottleneck_fake) ** 2),
    }
    expected["category"] = 0.5 * (expected["real_category"] + expected["fake_category"])
    expected["discriminator"] = expected["d_real"] + expected["d_fake"] + expected["category"] / 2
    expected["generator"] = (expected["cheat"] + expected["l1"] + expected["const"]
                             + 0.5 * expected["fake_category"])
    for name, value in expected.items():
        assert terms[name] == pytest.approx(value, rel=2e-5, abs=1e-6), name
    assert expected["const"] > 0 and expected["l1"] > 0


def test_the_learning_rate_follows_zi2zi_and_the_models_are_checked(tmp_path):
    schedule = Zi2ZiLearningRate()
    assert [schedule.rate(e) for e in (0, 8, 9, 19, 29, 99)] == [1e-3, 1e-3, 5e-4, 2.5e-4,
                                                                 2e-4, 2e-4]
    with pytest.raises(ValueError, match="source and a target glyph"):
        Zi2Zi(build_zi2zi_generator(generator_dim=4, embedding_num=3),
              build_zi2zi_discriminator(channels=1, discriminator_dim=4, embedding_num=3),
              num_styles=3)
    # a conditional GAN has no latent noise: a sample grid must be given its inputs
    gan = _gan()
    assert not hasattr(gan, "sample_latents")
    grid = SampleGrid(tmp_path, num_samples=2)
    grid.set_model(gan)
    with pytest.raises(ValueError, match="latents="):
        grid.on_epoch_end(0)


@pytest.fixture
def op_determinism():
    from tensorflow.python.framework import config as tf_config

    tf.config.experimental.enable_op_determinism()
    yield
    tf_config.disable_op_determinism()


def _state(gan):
    return [np.array(v.numpy()) for group in gan.checkpoint_variables().values() for v in group]


def test_resume_is_bit_identical(tmp_path, op_determinism):
    data = _data(8)
    straight = _gan(seed=1)
    train(straight, data, batch_size=4, epochs=2, seed=2, verbose=0,
          callbacks=[Zi2ZiLearningRate(every=1)])
    first = _gan(seed=1)
    train(first, data, batch_size=4, epochs=1, seed=2, verbose=0, checkpoint_dir=tmp_path,
          every=1, callbacks=[Zi2ZiLearningRate(every=1)])
    resumed = _gan(seed=1)  # a fresh object: everything comes from the checkpoint
    result = train(resumed, data, batch_size=4, epochs=2, seed=2, verbose=0,
                   checkpoint_dir=tmp_path, every=1, callbacks=[Zi2ZiLearningRate(every=1)])
    assert result.initial_epoch == 1 and resumed.train_steps == straight.train_steps == 4
    for a, b in zip(_state(straight), _state(resumed)):
        np.testing.assert_array_equal(a, b)
    # the dropout layers draw: two identical calls in training mode differ
    sources, styles = data[1][:2], data[2][:2]
    assert not np.array_equal(resumed.generator([sources, styles], training=True),
                              resumed.generator([sources, styles], training=True))
