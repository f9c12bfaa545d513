"""Palindrome data against the template's rule; the equation-built cells against Keras's."""

import math

import keras
import numpy as np
import pytest

from mitlgan.data.palindrome import make_palindrome, palindrome_data
from mitlgan.models.recurrent import EquationLSTMCell, VanillaRNNCell, build_palindrome_classifier


@pytest.mark.parametrize("length", [2, 5, 6, 20])
def test_every_sequence_is_a_palindrome_with_its_last_digit_as_target(length):
    data = palindrome_data(length, total=3000, seed=1)
    for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
        full = np.concatenate([x[..., 0], y[:, None].astype(np.float32)], axis=1)
        assert full.shape[1] == length
        np.testing.assert_array_equal(full, full[:, ::-1])
        assert set(np.unique(full)) <= set(range(10))
    distinct = min(3000, 10 ** math.ceil(length / 2))
    assert len(data.x_train) + len(data.x_test) == distinct
    assert len(data.x_train) == round(0.8 * distinct)
    whole = np.concatenate([data.x_train, data.x_test])[..., 0]
    assert len(np.unique(whole, axis=0)) == distinct  # drawn without replacement


def test_the_same_seed_gives_the_same_data_and_short_lengths_are_capped():
    a, b = palindrome_data(20, total=500, seed=7), palindrome_data(20, total=500, seed=7)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, palindrome_data(20, total=500, seed=8).x_train)
    five = palindrome_data(5)
    assert five.capped and len(five.x_train) + len(five.x_test) == 1000  # 10 ** 3 palindromes
    assert make_palindrome(42, 5).tolist() == [0, 4, 2, 4, 0]
    assert make_palindrome(42, 4).tolist() == [4, 2, 2, 4]


def _to_keras_lstm(cell, units):
    """Our [g, i, f, o] column blocks in Keras's [i, f, c, o] order."""
    def reorder(w):
        g, i, f, o = np.split(w, 4, axis=-1)
        return np.concatenate([i, f, g, o], axis=-1)

    return [reorder(cell.input_kernel.numpy()), reorder(cell.recurrent_kernel.numpy()),
            reorder(cell.bias.numpy())]


def _random_weights(layer, rng):
    layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])


def test_the_equation_cell_is_keras_lstm_and_the_printed_variant_is_not():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (4, 7, 3)).astype("float32")
    ours = keras.layers.RNN(EquationLSTMCell(5))
    ours(x)
    _random_weights(ours, rng)
    reference = keras.layers.LSTM(5)
    reference(x)
    reference.set_weights(_to_keras_lstm(ours.cell, 5))
    np.testing.assert_allclose(ours(x), reference(x), atol=1e-5)
    printed = keras.layers.RNN(EquationLSTMCell(5, output="as_printed"))
    printed(x)
    printed.set_weights(ours.get_weights())
    assert np.abs(np.asarray(printed(x)) - np.asarray(reference(x))).max() > 1e-2


def test_the_vanilla_cell_is_keras_simple_rnn():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (3, 6, 2)).astype("float32")
    ours = keras.layers.RNN(VanillaRNNCell(4))
    ours(x)
    _random_weights(ours, rng)
    reference = keras.layers.SimpleRNN(4)
    reference(x)
    cell = ours.cell
    reference.set_weights([cell.input_kernel.numpy(), cell.recurrent_kernel.numpy(),
                           cell.bias.numpy()])
    np.testing.assert_allclose(ours(x), reference(x), atol=1e-5)


def test_classifier_shapes_and_parameter_counts():
    lstm = build_palindrome_classifier("lstm", 4)
    # x part with bias, h part without: 4 gates x (1 x 128 + 128 + 128 x 128); readout 1290
    assert lstm.count_params() == 4 * (128 + 128 + 128 * 128) + 128 * 10 + 10
    rnn = build_palindrome_classifier("rnn", 4)
    assert rnn.count_params() == 128 + 128 + 128 * 128 + 1290
    assert lstm(np.zeros((2, 4, 1), "float32")).shape == (2, 10)
    with pytest.raises(ValueError, match="unknown model"):
        build_palindrome_classifier("gru", 4)


def test_default_initialisation_is_pytorch_linear():
    model = build_palindrome_classifier("lstm", 4, hidden=64)
    cell = model.get_layer("recurrent").cell
    # x part: fan_in 1 -> U(-1, 1); h part: fan_in 64 -> U(-1/8, 1/8); readout fan_in 64
    assert 0.9 < np.abs(cell.input_kernel.numpy()).max() <= 1.0
    assert 0.11 < np.abs(cell.recurrent_kernel.numpy()).max() <= 0.125
    assert np.abs(cell.bias.numpy()).max() > 0.5  # nn.Linear biases are not zero
    assert np.abs(model.get_layer("readout").kernel.numpy()).max() <= 0.125
    keras_init = build_palindrome_classifier("rnn", 4, hidden=64, init="keras")
    assert np.all(keras_init.get_layer("recurrent").cell.bias.numpy() == 0)
    with pytest.raises(ValueError, match="init="):
        EquationLSTMCell(4, init="xavier")


def test_unrolled_and_several_steps_per_call_change_nothing():
    import keras

    from mitlgan.models.recurrent import build_palindrome_classifier

    rng = np.random.default_rng(0)
    x = rng.integers(0, 10, (40, 6, 1)).astype("float32")
    y = rng.integers(0, 10, 40)
    weights = []
    for unroll, steps_per_execution in ((False, 1), (False, 3), (True, 3)):
        keras.utils.set_random_seed(0)
        model = build_palindrome_classifier("lstm", 6, 8, unroll=unroll)
        model.compile(keras.optimizers.Adam(1e-2),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      steps_per_execution=steps_per_execution)
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        weights.append(model.get_weights())
    for a, b in zip(weights[0], weights[1]):  # the same ops, looped in the graph
        np.testing.assert_array_equal(a, b)
    for a, b in zip(weights[0], weights[2]):  # the same equations, unrolled
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("output", ["standard", "as_printed"])
def test_the_fused_cell_computes_the_reports_per_gate_equations(output):
    # document 002's equations (1)-(6), one nn.Linear pair per gate, in numpy float64
    rng = np.random.default_rng(1)
    x = rng.normal(0, 1, (3, 6, 2)).astype("float32")
    layer = keras.layers.RNN(EquationLSTMCell(4, output))
    layer(x)
    _random_weights(layer, rng)
    cell = layer.cell
    kernel, recurrent, bias = (w.numpy().astype("float64") for w in
                               (cell.input_kernel, cell.recurrent_kernel, cell.bias))
    gate = {name: (kernel[:, k * 4:(k + 1) * 4], recurrent[:, k * 4:(k + 1) * 4],
                   bias[k * 4:(k + 1) * 4]) for k, name in enumerate("gifo")}

    def linear(name, x_t, h):
        w_x, w_h, b = gate[name]
        return x_t @ w_x + h @ w_h + b

    def sigmoid(v):
        return 1 / (1 + np.exp(-v))

    h = c = np.zeros((3, 4))
    for t in range(x.shape[1]):
        x_t = x[:, t].astype("float64")
        g = np.tanh(linear("g", x_t, h))
        i, f, o = (sigmoid(linear(name, x_t, h)) for name in "ifo")
        c = g * i + c * f
        h = np.tanh(c) * o if output == "standard" else np.tanh(c * o)
    np.testing.assert_allclose(layer(x).numpy(), h, atol=1e-6)
