"""WGANGP: the n_critic loop, batch regimes, theory, MITLGAN transfer, XLA, precision."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from _gan_helpers import tiny_images, tiny_models

import mitlgan
from mitlgan.gans import METRIC_NAMES, dtype_policy
from mitlgan.models import build_mitlgan_generator, build_wgan_critic, build_wgan_generator


def _snapshot(gan):
    return [np.array(v.numpy()) for group in gan.checkpoint_variables().values() for v in group]


def _restore(gan, snapshot):
    variables = [v for group in gan.checkpoint_variables().values() for v in group]
    for variable, value in zip(variables, snapshot):
        variable.assign(value)


def _max_difference(a, b):
    return max(float(np.max(np.abs(x.astype("float64") - y.astype("float64")))) for x, y in zip(a, b))


@pytest.mark.parametrize("n_critic, real_batches", [(1, "fresh"), (5, "reused")])
def test_one_train_step_is_n_critic_critic_updates_and_one_generator_update(n_critic, real_batches):
    generator, critic = tiny_models(0)
    gan = mitlgan.WGANGP(generator, critic, n_critic=n_critic, seed=0, real_batches=real_batches)
    gan.compile()
    dataset = gan.prepare_dataset(tiny_images(64), 4, epochs=1)
    logs = gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0, shuffle=False).history
    assert int(gan.d_optimizer.iterations.numpy()) == n_critic
    assert int(gan.g_optimizer.iterations.numpy()) == 1
    assert gan.train_steps == 1
    assert set(logs) == set(METRIC_NAMES)


def test_defaults_are_algorithm_1():
    generator, critic = tiny_models(0)
    gan = mitlgan.WGANGP(generator, critic)
    gan.compile()
    assert (gan.n_critic, gan.gp_weight, gan.real_batches) == (5, 10.0, "reused")
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.Adam)
        assert np.isclose(float(optimizer.learning_rate.numpy()), 1e-4)
        assert (optimizer.beta_1, optimizer.beta_2) == (0.0, 0.9)
    # On a CPU-only machine XLA is off by default (it measured ~3x slower here).
    assert gan.jit_compile is False


def test_fresh_batches_feed_one_real_batch_per_critic_update():
    images = tiny_images(16, seed=5)
    first, second = images[:8], images[8:]
    generator, critic = tiny_models(2)
    reused = mitlgan.WGANGP(generator, critic, n_critic=2, seed=9, real_batches="reused")
    reused.compile()
    initial = _snapshot(reused)
    reused.train_on_batch(first)
    expected = _snapshot(reused)

    # The same models in the fresh regime, reset to the same starting state for each batch.
    fresh = mitlgan.WGANGP(generator, critic, n_critic=2, seed=9, real_batches="fresh")
    fresh.compile()
    results = {}
    for label, batch in [
        ("same", np.stack([first, first], axis=1)),  # (B, n_critic, ...)
        ("two", np.stack([first, second], axis=1)),
        ("flat", np.concatenate([first, second])),  # (n_critic * B, ...)
    ]:
        _restore(fresh, initial)
        if batch.ndim == 4:
            fresh.make_train_function(force=True)  # a new batch rank needs a new trace
        fresh.train_on_batch(batch)
        results[label] = _snapshot(fresh)
    # Feeding the same batch to both critic updates is exactly the reused regime ...
    assert _max_difference(results["same"], expected) == 0.0
    # ... and a second batch really reaches the second update.
    assert _max_difference(results["two"], expected) > 1e-4
    # A flat batch of n_critic * B is split into consecutive chunks.
    assert _max_difference(results["flat"], results["two"]) == 0.0


def test_wrong_batch_shape_for_the_regime_is_a_clear_error():
    generator, critic = tiny_models(0)
    gan = mitlgan.WGANGP(generator, critic, n_critic=3, real_batches="fresh")
    gan.compile(run_eagerly=True)
    with pytest.raises(ValueError, match="axis 1 must be n_critic=3"):
        gan.train_on_batch(np.zeros((2, 2, 16, 16, 3), "float32"))
    with pytest.raises(ValueError, match="real_batches"):
        mitlgan.WGANGP(generator, critic, real_batches="sometimes")


def _decode(batch):
    # tiny index images: image i has every pixel equal to i / 100.
    return np.round(np.asarray(batch)[..., 0, 0, 0] * 100).astype(int)


@pytest.mark.parametrize("real_batches, shape, steps", [("reused", (4,), 10), ("fresh", (4, 2), 5)])
def test_prepare_dataset_epochs_cover_each_image_once(real_batches, shape, steps):
    images = np.broadcast_to(np.arange(42, dtype="float32")[:, None, None, None] / 100, (42, 16, 16, 3))
    generator, critic = tiny_models(0)
    gan = mitlgan.WGANGP(generator, critic, n_critic=2, real_batches=real_batches)
    assert gan.steps_per_epoch(42, 4) == steps
    full = [_decode(b) for b in gan.prepare_dataset(images, 4, epochs=3, seed=1)]
    assert len(full) == 3 * steps and all(b.shape == shape for b in full)
    epochs = [np.concatenate([b.ravel() for b in full[e * steps : (e + 1) * steps]]) for e in range(3)]
    for order in epochs:  # 40 of 42 images (the remainder is dropped), none twice
        assert len(order) == 40 and len(set(order)) == 40
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled per epoch
    # The order of an epoch depends only on (seed, epoch): resuming replays it.
    resumed = [_decode(b) for b in gan.prepare_dataset(images, 4, epochs=3, initial_epoch=2, seed=1)]
    np.testing.assert_array_equal(np.concatenate([b.ravel() for b in resumed]), epochs[2])


def test_prepare_dataset_regroups_a_batched_tf_dataset():
    images = np.broadcast_to(np.arange(24, dtype="float32")[:, None, None, None] / 100, (24, 16, 16, 3))
    source = tf.data.Dataset.from_tensor_slices(images).batch(5)  # e.g. load_image_folder
    generator, critic = tiny_models(0)
    gan = mitlgan.WGANGP(generator, critic, n_critic=3, real_batches="fresh")
    batches = [_decode(b) for b in gan.prepare_dataset(source, 2, epochs=2)]
    assert len(batches) == 8 and all(b.shape == (2, 3) for b in batches)  # 24 // 6 per epoch
    np.testing.assert_array_equal(np.concatenate([b.ravel() for b in batches[:4]]), np.arange(24))


class Shift(keras.layers.Layer):
    """Adds a learnable image-shaped offset."""

    def build(self, input_shape):
        self.shift = self.add_weight(
            shape=input_shape[1:], initializer=keras.initializers.Constant(-0.25), name="shift"
        )

    def call(self, x):
        return x + self.shift


def test_wasserstein_estimate_moves_as_wgan_gp_theory_says():
    # Real images N(+0.25, 0.05^2 I) on 8x8x1; the generator makes 0.05 z + shift with the
    # shift starting at -0.25, i.e. the same Gaussian translated by 0.5 per pixel. W1 between
    # translates is the translation's length: 0.5 * sqrt(64) = 4. The penalised critic
    # optimum is linear along the translation with slope s maximising s W - lambda (s - 1)^2,
    # so its estimate is W (1 + W / (2 lambda)) = 4.8: slightly above W1, as a soft
    # Lipschitz constraint allows.
    keras.utils.set_random_seed(0)
    z = keras.Input((64,))
    x = keras.layers.Reshape((8, 8, 1))(keras.layers.Rescaling(0.05)(z))
    shift_layer = Shift()
    generator = keras.Model(z, shift_layer(x))
    critic = build_wgan_critic(8, channels=(16, 32), image_channels=1, dropout=0.0)
    gan = mitlgan.WGANGP(generator, critic, n_critic=5, seed=0)
    gan.compile(
        g_optimizer=keras.optimizers.Adam(0.0, beta_1=0.0, beta_2=0.9),  # frozen at first
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.9),
    )
    real = (0.25 + 0.05 * np.random.default_rng(0).standard_normal((4096, 8, 8, 1))).astype("float32")
    dataset = gan.prepare_dataset(real, 16, epochs=100, seed=0)

    def true_w1():
        return float(np.linalg.norm(0.25 - shift_layer.shift.numpy()))

    w1 = true_w1()
    optimum = w1 * (1 + w1 / (2 * gan.gp_weight))
    assert np.isclose(w1, 4.0)

    # Phase 1, the generator held fixed: the critic climbs to the penalised optimum.
    fit = dict(steps_per_epoch=10, verbose=0, shuffle=False)
    estimates = gan.fit(dataset, epochs=6, **fit).history["wasserstein_estimate"]
    assert estimates[0] < 0.8 * optimum  # starts well below
    assert 0.97 * optimum < np.mean(estimates[-2:]) < 1.02 * optimum
    assert estimates[-1] > w1  # the soft constraint's overshoot

    # Phase 2, the generator learns: it closes the gap, and the estimate falls with it.
    gan.g_optimizer.learning_rate.assign(1e-2)
    falling = []
    for _ in range(3):
        falling.append(gan.fit(dataset, epochs=1, **fit).history["wasserstein_estimate"][0])
    assert true_w1() < 0.5 * w1
    assert falling[0] > falling[1] > falling[2]
    assert falling[2] < 0.6 * optimum


def test_mitlgan_training_updates_only_the_head():
    keras.utils.set_random_seed(4)
    parts = [
        build_wgan_generator(32, 16, initial_channels=16, name=name)
        for name in ("foreground_generator", "background_generator")
    ]
    generator = build_mitlgan_generator(*parts, filters=4, num_downsamples=1, num_blocks=1, output_activation="tanh")
    critic = build_wgan_critic(16, channels=(8, 16), dropout=0.0)
    gan = mitlgan.WGANGP(generator, critic, n_critic=2, seed=3)
    gan.compile()
    assert len(gan.latent_shapes) == 2  # two latent inputs, sampled with no extra code
    part_before = [np.array(v.numpy()) for part in parts for v in part.variables]
    part_ids = {id(v) for part in parts for v in part.variables}
    head = [v for v in generator.trainable_variables]
    assert head and not part_ids & {id(v) for v in head}
    head_before = [np.array(v.numpy()) for v in head]
    critic_before = [np.array(v.numpy()) for v in critic.trainable_variables]

    gan.fit(gan.prepare_dataset(tiny_images(16), 4, epochs=1), epochs=1, steps_per_epoch=2, verbose=0, shuffle=False)

    part_after = [np.array(v.numpy()) for part in parts for v in part.variables]
    for before, after in zip(part_before, part_after):  # weights and BN statistics
        assert np.array_equal(before, after)
    changed = [not np.array_equal(b, v.numpy()) for b, v in zip(head_before, head)]
    assert all(changed), [v.path for v, c in zip(head, changed) if not c]
    unchanged = [v.path for b, v in zip(critic_before, critic.trainable_variables) if np.array_equal(b, v.numpy())]
    # The critic's output bias cancels in D(fake) - D(real) and the penalty ignores it, so
    # its gradient is exactly zero in WGAN-GP; every other critic weight learns.
    assert unchanged == ["score/bias"]


def _one_step_state(jit_compile, images):
    generator, critic = tiny_models(6)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=5)
    gan.compile(jit_compile=jit_compile)
    initial = _snapshot(gan)
    logs = gan.train_on_batch(images, return_dict=True)
    return gan, initial, _snapshot(gan), logs


def test_xla_and_graph_mode_give_the_same_step():
    images = tiny_images(8, seed=7)
    xla, initial, xla_state, xla_logs = _one_step_state(True, images)
    graph, _, graph_state, graph_logs = _one_step_state(False, images)
    assert xla.jit_compile is True and graph.jit_compile is False
    assert _max_difference(initial, graph_state) > 1e-4  # the step changed the weights
    assert _max_difference(xla_state, graph_state) < 1e-5
    for name in METRIC_NAMES:
        np.testing.assert_allclose(xla_logs[name], graph_logs[name], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_runs_with_float32_losses(policy):
    with dtype_policy(policy):
        generator, critic = tiny_models(8)
    assert keras.config.dtype_policy().name == "float32"  # restored
    assert critic.get_layer("conv1").compute_dtype == policy.split("_")[1]
    gan = mitlgan.WGANGP(generator, critic, n_critic=2, seed=1)
    gan.compile()
    scaled = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")
    history = gan.fit(
        gan.prepare_dataset(tiny_images(16), 4, epochs=1), epochs=1, steps_per_epoch=2, verbose=0, shuffle=False
    ).history
    for name in METRIC_NAMES:
        assert np.isfinite(history[name]).all(), (name, history[name])
    assert all(v.dtype == "float32" for v in critic.trainable_variables)
    samples = gan(gan.sample_latents(2))
    assert samples.dtype == tf.float32 and np.isfinite(samples.numpy()).all()
