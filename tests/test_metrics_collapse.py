"""The collapse callback flags a collapse forced mid-run, and not a healthy run."""

import keras
import numpy as np
import pytest

from mitlgan import BCEGAN
from mitlgan.metrics.collapse import CollapseCallback
from mitlgan.training import train


class Gate(keras.layers.Layer):
    """Multiplies the latent by a non-trainable gate: gate 0 makes G(z) independent of z."""

    def build(self, input_shape):
        self.gate = self.add_weight(shape=(), initializer="ones", trainable=False, name="gate")

    def call(self, z):
        return z * self.gate


class CloseGate(keras.callbacks.Callback):
    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch + 1 == self.at_epoch:
            self.model.generator.get_layer("gate").gate.assign(0.0)


def _run(tmp_path, close_at=None):
    keras.utils.set_random_seed(0)
    z = keras.Input((8,))
    x = keras.layers.Dense(64, activation="tanh")(Gate(name="gate")(z))
    generator = keras.Model(z, keras.layers.Reshape((8, 8, 1))(x))
    discriminator = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1, activation="sigmoid")])
    gan = BCEGAN(generator, discriminator, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-5), d_optimizer=keras.optimizers.Adam(1e-5))
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (256, 8, 8, 1)).astype("float32")
    flatten = lambda images: np.asarray(images).reshape(len(images), -1)  # noqa: E731
    tracker = CollapseCallback(flatten, flatten(real[:200]), n=200, backbone="pixels")
    extra = [CloseGate(close_at)] if close_at else []
    train(gan, real, batch_size=64, epochs=5, history_csv=tmp_path / "history.csv",
          callbacks=extra + [tracker], verbose=0)
    return tracker.results, (tmp_path / "history.csv").read_text()


def test_a_forced_collapse_is_flagged_from_the_epoch_it_happens(tmp_path):
    results, history = _run(tmp_path, close_at=3)
    assert [r["collapsed"] for r in results] == [False, False, True, True, True]
    assert results[2]["diversity"] == pytest.approx(0.0, abs=1e-6)
    assert results[1]["diversity"] > 0.1 and results[2]["recall"] <= 1 / 200
    assert "coverage" in history.splitlines()[0] and "collapsed" in history.splitlines()[0]
    assert results[0]["backbone"] == "pixels"


def test_a_healthy_short_run_is_not_flagged(tmp_path):
    results, _ = _run(tmp_path)
    assert not any(r["collapsed"] for r in results)
    assert all(r["diversity"] > 0.5 for r in results)



class _Fixed:
    """A stand-in model: the callback only needs ``sample_latents`` and ``generator``."""

    def __init__(self):
        self.generator = lambda latents, training=False: latents

    def sample_latents(self, n, seed=0):
        return np.zeros((n, 2), np.float32)


@pytest.mark.parametrize("min_drop, flagged", [(0.05, False), (0.01, True)])
def test_the_absolute_floor_keeps_small_falls_from_counting(min_drop, flagged):
    from mitlgan.metrics.manifold import diversity

    rng = np.random.default_rng(0)
    real, base = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    unit = diversity(real, base)
    scales = iter([0.08 / unit, 0.035 / unit])  # diversity 0.08, then 0.035 (-56%, -0.045)
    featurize = lambda images: base * next(scales) + 100.0  # noqa: E731  far away: coverage 0
    tracker = CollapseCallback(featurize, real, n=50, min_drop=min_drop)
    tracker.set_model(_Fixed())
    tracker.on_epoch_end(0)
    tracker.on_epoch_end(1)
    assert [r["diversity"] for r in tracker.results] == pytest.approx([0.08, 0.035])
    assert [r["collapsed"] for r in tracker.results] == [False, flagged]


def test_a_resumed_run_keeps_the_best_so_far_of_its_history(tmp_path):
    from mitlgan.metrics.manifold import diversity

    rng = np.random.default_rng(1)
    real, base = rng.standard_normal((50, 2)), rng.standard_normal((50, 2))
    featurize = lambda images: base * (0.3 / diversity(real, base)) + 100.0  # noqa: E731
    history = tmp_path / "history.csv"
    # epoch 1 was finished before the crash; epoch 3's row is stale (after the checkpoint)
    history.write_text("epoch,coverage,diversity\n1,0.0,0.8\n3,0.0,5.0\n")
    flags = []
    for csv_path in (None, history):
        tracker = CollapseCallback(featurize, real, n=50, history_csv=csv_path)
        tracker.set_model(_Fixed())
        tracker.on_epoch_end(1)  # the resumed run's first epoch is epoch 2
        flags.append(tracker.results[0]["collapsed"])
        assert tracker.results[0]["diversity"] == pytest.approx(0.3)
    # fresh best: 0.3 is the best so far; restored best 0.8: 0.3 < 0.4 and falls by 0.5
    assert flags == [False, True]
    assert tracker.best["diversity"] == pytest.approx(0.8)
