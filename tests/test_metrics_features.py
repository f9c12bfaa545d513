"""InceptionFeatures: where weights come from, the missing-weights error, preprocessing."""

import hashlib
import io
import urllib.error

import numpy as np
import pytest
import tensorflow as tf

import mitlgan  # noqa: F401  (selects the TensorFlow backend)
from mitlgan.metrics import (
    KERAS_WEIGHTS_FILENAME,
    FrechetInceptionDistance,
    InceptionFeatures,
    WeightsUnavailableError,
    check_backbone_available,
    keras_weights_cache_path,
)
from mitlgan.metrics import weights as weights_module


@pytest.fixture(scope="module")
def extractor():
    return InceptionFeatures("random", input_size=75, batch_size=16, verbose=0)


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    low = rng.uniform(-1, 1, (20, 4, 4, 3)).astype(np.float32)
    return np.clip(tf.image.resize(low, (40, 40), method="bicubic").numpy(), -1, 1)


@pytest.fixture
def empty_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("MITLGAN_OFFLINE", raising=False)
    return tmp_path


# ---------------------------------------------------------------- missing weights
def assert_helpful(message, keras_home):
    assert KERAS_WEIGHTS_FILENAME in message
    assert "weights_path=" in message
    assert str(keras_home / "models" / KERAS_WEIGHTS_FILENAME) in message
    assert "backbone='random'" in message and "not comparable" in message


def test_missing_weights_error_says_what_to_do(empty_keras_home):
    with pytest.raises(WeightsUnavailableError) as info:
        check_backbone_available("keras-imagenet", allow_download=False)
    assert_helpful(str(info.value), empty_keras_home)
    assert "downloading is disabled" in str(info.value)
    # The extractor and the FID object fail the same way, before building anything.
    with pytest.raises(WeightsUnavailableError):
        InceptionFeatures("keras-imagenet", input_size=75, allow_download=False)
    with pytest.raises(WeightsUnavailableError):
        FrechetInceptionDistance(np.zeros((4, 75, 75, 3)), allow_download=False)


def test_offline_environment_forbids_downloads(empty_keras_home, monkeypatch):
    monkeypatch.setenv("MITLGAN_OFFLINE", "1")

    def no_download(*args, **kwargs):
        raise AssertionError("a download was attempted")

    monkeypatch.setattr(weights_module, "_download", no_download)
    with pytest.raises(WeightsUnavailableError, match="downloading is disabled"):
        check_backbone_available("keras-imagenet")


def test_failed_download_raises_and_leaves_no_partial_file(empty_keras_home, monkeypatch):
    def unreachable(url, timeout):
        assert timeout <= 30  # the socket never waits unbounded
        raise urllib.error.URLError("network unreachable")

    monkeypatch.setattr(weights_module.urllib.request, "urlopen", unreachable)
    with pytest.raises(WeightsUnavailableError, match="download failed") as info:
        check_backbone_available("keras-imagenet", allow_download=True)
    assert_helpful(str(info.value), empty_keras_home)
    assert not list(empty_keras_home.rglob("*.h5*"))


@pytest.mark.parametrize("reason", ["timeout", "md5"])
def test_slow_or_corrupt_download_is_rejected(empty_keras_home, monkeypatch, reason):
    class Response(io.BytesIO):
        def read(self, size=-1):
            return b"x" * 1024 if reason == "timeout" else super().read(size)

    monkeypatch.setattr(
        weights_module.urllib.request, "urlopen", lambda url, timeout: Response(b"not weights")
    )
    match = "longer than" if reason == "timeout" else "md5"
    with pytest.raises(WeightsUnavailableError, match=match):
        check_backbone_available("keras-imagenet", allow_download=True, timeout=0.0)
    assert not list(empty_keras_home.rglob("*.h5*"))


def test_weights_path_must_exist_and_random_takes_none(tmp_path):
    missing = tmp_path / "nowhere.weights.h5"
    with pytest.raises(WeightsUnavailableError, match="does not exist"):
        check_backbone_available("keras-imagenet", weights_path=missing)
    with pytest.raises(ValueError):
        check_backbone_available("random", weights_path=missing)
    with pytest.raises(ValueError, match="unknown backbone"):
        check_backbone_available("inception-2015")
    assert check_backbone_available("random") is None


def test_corrupt_weights_file_is_refused_before_building(empty_keras_home):
    bad = empty_keras_home / "broken.weights.h5"
    bad.write_bytes(b"this is not HDF5")
    with pytest.raises(WeightsUnavailableError, match="not an HDF5 file"):
        check_backbone_available("keras-imagenet", weights_path=bad)
    cached = keras_weights_cache_path()
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"<html>proxy error</html>")
    with pytest.raises(WeightsUnavailableError, match="not an HDF5 file"):
        InceptionFeatures("keras-imagenet", allow_download=False)


# Keras (not this code) emits a numpy DeprecationWarning while writing legacy .h5 files.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_cache_weights_are_found_and_loaded(empty_keras_home, extractor, images):
    # A legacy .h5 file in $KERAS_HOME/models (the format of Keras's own download); here it
    # holds the random network's weights, so the loaded network must reproduce its features.
    target = keras_weights_cache_path()
    assert target == empty_keras_home / "models" / KERAS_WEIGHTS_FILENAME
    target.parent.mkdir(parents=True)
    extractor.model.save(target)
    loaded = InceptionFeatures("keras-imagenet", input_size=75, allow_download=False, verbose=0)
    np.testing.assert_allclose(loaded(images), extractor(images), rtol=1e-5, atol=1e-6)
    meta = loaded.metadata
    assert meta["backbone"] == "keras-imagenet" and meta["comparable"] is True
    assert meta["weights_md5"] == hashlib.md5(target.read_bytes()).hexdigest()
    # The same file can also be named explicitly.
    assert check_backbone_available("keras-imagenet", weights_path=target) == target


# ---------------------------------------------------------------- preprocessing
def test_random_backbone_is_labelled_not_comparable(extractor):
    meta = extractor.metadata
    assert meta["backbone"] == "random-untrained-seed0"
    assert meta["comparable"] is False
    assert "UNTRAINED" in meta["note"] and "not comparable" in meta["note"]
    assert meta["input_size"] == 75 and meta["feature_dim"] == 2048
    assert extractor.label == "random-untrained-seed0@75"


def test_features_shape_and_input_conventions(extractor, images):
    feats = extractor(images)
    assert feats.shape == (20, 2048) and feats.dtype == np.float32
    assert np.all(np.isfinite(feats)) and feats.std() > 0
    # uint8 [0, 255] maps to [-1, 1]; one channel is repeated; values outside [-1, 1] clip.
    as_uint8 = np.round((images + 1) * 127.5).astype(np.uint8)
    np.testing.assert_allclose(
        extractor(as_uint8), extractor(as_uint8 / 127.5 - 1.0), rtol=1e-5, atol=1e-6
    )
    gray = images[..., :1]
    np.testing.assert_allclose(extractor(gray), extractor(np.repeat(gray, 3, -1)), atol=1e-6)
    np.testing.assert_allclose(
        extractor(3 * images), extractor(np.clip(3 * images, -1, 1)), atol=1e-6
    )
    with pytest.raises(ValueError):
        extractor(images[0])
    with pytest.raises(ValueError, match="75"):
        InceptionFeatures("random", input_size=64)


def test_arrays_and_datasets_give_the_same_features(extractor, images):
    reference = extractor.extract(images)
    batched = tf.data.Dataset.from_tensor_slices(images).batch(7)
    labelled = tf.data.Dataset.from_tensor_slices((images, np.arange(20)))
    np.testing.assert_allclose(extractor.extract(batched), reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(extractor.extract(labelled), reference, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(extractor.extract(images, limit=5), reference[:5], atol=1e-6)


def test_random_backbone_is_a_function_of_its_seed(extractor):
    # He-normal from numpy's generator: the first kernel is the first draw of seed 0.
    kernel = extractor.model.weights[0]
    assert kernel.path.endswith("kernel")
    shape = tuple(kernel.shape)
    expected = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    expected *= np.float32(np.sqrt(2.0 / np.prod(shape[:-1])))
    np.testing.assert_array_equal(kernel.numpy(), expected)


def test_xla_extractor_gives_the_graph_mode_features(extractor, images):
    # XLA has no kernel for the antialiased resize; the XLA extractor must still work,
    # with a last batch (20 = 16 + 4) smaller than the batch size, and agree with graph mode.
    xla = InceptionFeatures("random", input_size=75, batch_size=16, verbose=0, jit_compile=True)
    expected = extractor.extract(images)
    got = xla.extract(images)
    assert got.shape == (20, 2048)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())
