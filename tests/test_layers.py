import keras
import numpy as np

from mitlgan.layers import InstanceNormalization


def _numpy_instance_norm(x, gamma, beta, epsilon=1e-3):
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(var + epsilon) * gamma + beta


def test_matches_numpy_instance_norm():
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=(3, 7, 5, 4)).astype("float32")
    layer = InstanceNormalization()
    layer.build(x.shape)
    gamma = rng.normal(size=4).astype("float32")
    beta = rng.normal(size=4).astype("float32")
    layer.set_weights([gamma, beta])
    got = np.asarray(layer(x))
    np.testing.assert_allclose(got, _numpy_instance_norm(x.astype("float64"), gamma, beta), atol=2e-5)


def test_statistics_are_per_sample_and_per_channel():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    x[1] *= 50.0  # another sample's scale must not affect the first's output
    x[..., 2] += 100.0
    out = np.asarray(InstanceNormalization()(x))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1.0, atol=2e-2)


def test_two_parameters_per_channel_and_serialisation(tmp_path):
    inputs = keras.Input((8, 8, 5))
    model = keras.Model(inputs, InstanceNormalization(name="norm")(inputs))
    assert model.count_params() == 10
    model.get_layer("norm").set_weights([np.full(5, 2.0, "float32"), np.full(5, -1.0, "float32")])
    path = tmp_path / "norm.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("norm"), InstanceNormalization)
    x = np.random.default_rng(2).normal(size=(2, 8, 8, 5)).astype("float32")
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))
