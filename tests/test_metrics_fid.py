"""FrechetInceptionDistance end to end on the untrained backbone (offline), and its callback."""

import math

import keras
import numpy as np
import pytest
import scipy.ndimage
import tensorflow as tf

import mitlgan  # noqa: F401  (selects the TensorFlow backend)
from mitlgan.metrics import (
    FeatureStatistics,
    FIDCallback,
    FrechetInceptionDistance,
    InceptionFeatures,
    IncompatibleStatisticsError,
    SmallSampleWarning,
    frechet_distance,
    kernel_inception_distance,
)

pytestmark = pytest.mark.filterwarnings("ignore::mitlgan.metrics.fid.SmallSampleWarning")
N = 64


@pytest.fixture(scope="module")
def extractor():
    return InceptionFeatures("random", input_size=75, batch_size=32, verbose=0)


@pytest.fixture(scope="module")
def real():
    # Smooth random colour fields, 32x32, in [-1, 1].
    rng = np.random.default_rng(0)
    low = rng.uniform(-1, 1, (N, 4, 4, 3)).astype(np.float32)
    return np.clip(tf.image.resize(low, (32, 32), method="bicubic").numpy(), -1, 1)


@pytest.fixture(scope="module")
def fid(extractor, real):
    return FrechetInceptionDistance(real, features=extractor, n=N, kid_subset_size=50, verbose=0)


def two_input_generator(latent_dim=8, size=32):
    z1 = keras.Input((latent_dim,))
    z2 = keras.Input((latent_dim,))
    x = keras.layers.Concatenate()([z1, z2])
    x = keras.layers.Dense(4 * 4 * 3, activation="tanh")(x)
    x = keras.layers.Reshape((4, 4, 3))(x)
    x = keras.layers.UpSampling2D(size // 4, interpolation="bilinear")(x)
    return keras.Model([z1, z2], x, name="two_input_generator")


def test_fid_of_a_set_against_itself_is_zero_and_grows_with_corruption(fid, real):
    with pytest.warns(SmallSampleWarning, match="2048"):  # N = 64
        itself = fid.evaluate_images(real).fid
    noise = np.random.default_rng(1).standard_normal(real.shape).astype(np.float32)
    noisy = [fid.evaluate_images(real + level * noise).fid for level in (0.05, 0.1, 0.2, 0.4)]
    blurred = [
        fid.evaluate_images(scipy.ndimage.gaussian_filter(real, (0, s, s, 0))).fid
        for s in (0.5, 1.0, 2.0, 4.0)
    ]
    assert abs(itself) < 1e-6 * noisy[0]
    assert all(a < b for a, b in zip(noisy, noisy[1:])), noisy
    assert all(a < b for a, b in zip(blurred, blurred[1:])), blurred


def test_result_matches_numpy_statistics_and_is_labelled(fid, extractor, real):
    corrupted = real[::-1] * 0.7  # same images, darker
    result = fid.evaluate_images(corrupted)
    a = extractor.extract(real).astype(np.float64)
    b = extractor.extract(corrupted).astype(np.float64)
    expected = frechet_distance(
        a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    )
    assert result.fid == pytest.approx(expected, rel=1e-6)
    kid, kid_std = kernel_inception_distance(a, b, num_subsets=100, subset_size=50, seed=0)
    assert (result.kid, result.kid_std) == pytest.approx((kid, kid_std), rel=1e-6)
    assert result.backbone == "random-untrained-seed0@75"
    assert (result.n, result.n_real, result.comparable) == (N, N, False)
    assert "NOT COMPARABLE" in str(result) and "N=64" in str(result)
    row = result.as_row("WGAN (test)")
    assert list(row) == ["model", "backbone", "n", "fid", "kid", "kid_std"]
    assert row["fid"] == result.fid and row["backbone"] == result.backbone


def test_generator_with_two_latent_inputs(fid):
    generator = two_input_generator()
    result = fid.evaluate_generator(generator, n=40, batch_size=16)
    assert result.n == 40 and math.isfinite(result.fid) and result.fid > 0
    # Same seed, same latents, whatever the batch size; a plain callable needs the shapes.
    again = fid.evaluate_generator(generator, n=40, batch_size=40)
    assert again.fid == pytest.approx(result.fid, rel=1e-4)
    as_function = fid.evaluate_generator(
        lambda z: generator(z, training=False), n=40, batch_size=16, latent_shapes=[8, 8]
    )
    assert as_function.fid == pytest.approx(result.fid, rel=1e-6)
    other_seed = fid.evaluate_generator(generator, n=40, batch_size=16, seed=1)
    assert other_seed.fid != result.fid


def test_callback_logs_fid_every_k_epochs(fid):
    generator = two_input_generator()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    callback = FIDCallback(fid, every=2, generator=generator, n=32, verbose=0)
    history = model.fit(
        np.zeros((4, 2)), np.zeros((4, 1)), epochs=2, verbose=0, callbacks=[callback]
    )
    logged = history.history["fid"]
    assert math.isnan(logged[0])
    expected = fid.evaluate_generator(generator, n=32)
    assert logged[1] == pytest.approx(expected.fid, rel=1e-6)
    assert history.history["kid"][1] == pytest.approx(expected.kid, rel=1e-6)
    assert [epoch for epoch, _ in callback.results] == [2]
    assert callback.results[0][1].n == 32


def test_real_statistics_cache_and_compatibility(tmp_path, extractor, real, fid):
    path = tmp_path / "real.npz"
    first = FrechetInceptionDistance(
        real, features=extractor, cache_path=path, n=N, kid_subset_size=50, verbose=0
    )
    darker = real * 0.5
    expected = first.evaluate_images(darker)
    assert path.is_file()
    # A new evaluator reads the cache (no real images given) and gives the same numbers.
    cached = FrechetInceptionDistance(
        cache_path=path, features=extractor, n=N, kid_subset_size=50, verbose=0
    )
    assert cached.real_statistics.metadata["source"].startswith("ndarray")
    result = cached.evaluate_images(darker)
    assert (result.fid, result.kid) == pytest.approx((expected.fid, expected.kid), rel=1e-9)
    # Statistics from another input size or backbone are refused, cached or not.
    other = FeatureStatistics(backbone="random-untrained-seed0", input_size=80)
    other.update(np.random.default_rng(0).standard_normal((4, 2048)))
    with pytest.raises(IncompatibleStatisticsError, match="input_size: 75 vs 80"):
        fid.compare(other)
    stale = tmp_path / "stale.npz"
    other.save(stale)
    with pytest.raises(IncompatibleStatisticsError):
        _ = FrechetInceptionDistance(cache_path=stale, features=extractor).real_statistics
