"""Document 002's recurrent cells, written from its equations, for ``keras.layers.RNN``.

:class:`EquationLSTMCell` is equations (1)-(6)::

    g = tanh(W_gx x + W_gh h_prev + b_g)      i = sigmoid(W_ix x + W_ih h_prev + b_i)
    f = sigmoid(W_fx x + W_fh h_prev + b_f)   o = sigmoid(W_ox x + W_oh h_prev + b_o)
    c = g * i + c_prev * f
    h = tanh(c) * o            ("standard", the default: Hochreiter & Schmidhuber)
    h = tanh(c * o)            ("as_printed": equation (6) as the report prints it)

with the input parts carrying the bias and the recurrent parts none (the report's
``nn.Linear`` with and without bias). :class:`VanillaRNNCell` is the previous
assignment's ``h = tanh(W_hx x + W_hh h_prev + b_h)``. Equations (7)-(8), the readout
``softmax(W_ph h_T + b_p)`` of the last step, are :func:`build_palindrome_classifier`'s
dense layer (logits; the softmax is in the cross-entropy of eq. (9)).

Initialisation follows the report's PyTorch ``nn.Linear`` layers by default
(``init="pytorch"``): weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in
being the input width of that linear map (1 digit for the x parts, ``units`` for the h
parts). ``init="keras"`` uses Keras's recurrent defaults instead (Glorot-uniform input
kernel, orthogonal recurrent kernel, zero bias), which make long palindromes much
easier for the vanilla RNN.
"""

import keras
from keras import ops

from mitlgan._checks import require_positive_int

LSTM_OUTPUTS = ("standard", "as_printed")
INITIALISATIONS = ("pytorch", "keras")


def _linear_init(fan_in: int):
    """PyTorch's nn.Linear default for weights and biases: U(+-1/sqrt(fan_in))."""
    bound = 1.0 / float(fan_in) ** 0.5
    return keras.initializers.RandomUniform(-bound, bound)


def _initialisers(init: str, input_dim: int, units: int):
    """(input kernel, recurrent kernel, bias) initialisers for ``init``."""
    if init not in INITIALISATIONS:
        raise ValueError(f"init={init!r} is not one of {INITIALISATIONS}")
    if init == "keras":
        return "glorot_uniform", "orthogonal", "zeros"
    return _linear_init(input_dim), _linear_init(units), _linear_init(input_dim)
GATES = ("g", "i", "f", "o")  # the column blocks of the kernels, in this order


@keras.saving.register_keras_serializable(package="mitlgan")
class EquationLSTMCell(keras.layers.Layer):
    """The LSTM cell of document 002's equations (1)-(6); state [h, c], output h (B, units).

    Args:
        units: hidden size (the report: 128).
        output: "standard" (h = tanh(c) * o) or "as_printed" (h = tanh(c * o)).

    Weights: ``input_kernel`` (input_dim, 4 units) and ``bias`` (4 units) for the x
    parts, ``recurrent_kernel`` (units, 4 units) for the h parts, column blocks in the
    order g, i, f, o.
    """

    def __init__(self, units: int, output: str = "standard", init: str = "pytorch", **kwargs):
        super().__init__(**kwargs)
        self.units = require_positive_int("units", units)
        if output not in LSTM_OUTPUTS:
            raise ValueError(f"output={output!r} is not one of {LSTM_OUTPUTS}")
        _initialisers(init, 1, 1)  # validates
        self.output_kind, self.init = output, init
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        width = 4 * self.units
        kernel, recurrent, bias = _initialisers(self.init, input_shape[-1], self.units)
        self.input_kernel = self.add_weight(shape=(input_shape[-1], width), name="input_kernel",
                                            initializer=kernel)
        self.recurrent_kernel = self.add_weight(shape=(self.units, width), name="recurrent_kernel",
                                                initializer=recurrent)
        self.bias = self.add_weight(shape=(width,), name="bias", initializer=bias)

    def call(self, inputs, states):
        h_prev, c_prev = states
        z = ops.matmul(inputs, self.input_kernel) + self.bias + ops.matmul(h_prev,
                                                                           self.recurrent_kernel)
        g, i, f, o = ops.split(z, 4, axis=-1)
        g, i, f, o = ops.tanh(g), ops.sigmoid(i), ops.sigmoid(f), ops.sigmoid(o)
        c = g * i + c_prev * f
        h = ops.tanh(c) * o if self.output_kind == "standard" else ops.tanh(c * o)
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "output": self.output_kind,
                "init": self.init}


@keras.saving.register_keras_serializable(package="mitlgan")
class VanillaRNNCell(keras.layers.Layer):
    """h = tanh(W_hx x + W_hh h_prev + b_h); state [h], output h (B, units)."""

    def __init__(self, units: int, init: str = "pytorch", **kwargs):
        super().__init__(**kwargs)
        self.units = require_positive_int("units", units)
        _initialisers(init, 1, 1)  # validates
        self.init = init
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        kernel, recurrent, bias = _initialisers(self.init, input_shape[-1], self.units)
        self.input_kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                            name="input_kernel", initializer=kernel)
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel", initializer=recurrent)
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer=bias)

    def call(self, inputs, states):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        h = ops.tanh(ops.matmul(inputs, self.input_kernel) + self.bias
                     + ops.matmul(h_prev, self.recurrent_kernel))
        return h, [h]

    def get_config(self):
        return {**super().get_config(), "units": self.units, "init": self.init}


RECURRENT_MODELS = ("rnn", "lstm", "lstm_as_printed")


def build_palindrome_classifier(kind: str, input_length: int, hidden: int = 128,
                                num_classes: int = 10, init: str = "pytorch",
                                unroll: bool = False) -> keras.Model:
    """(B, input_length, 1) digits -> (B, num_classes) logits of the last digit.

    ``kind``: "rnn" (:class:`VanillaRNNCell`), "lstm" (standard output) or
    "lstm_as_printed" (equation (6) as printed). The readout sees the last step only.
    ``init``: "pytorch" (the report's nn.Linear default, also for the readout) or "keras".
    ``unroll``: build the time loop as ``input_length`` copies of the cell instead of a
    ``tf.while_loop`` (same equations; see ``benchmarks/lstm_epoch.py`` for the speed).
    """
    require_positive_int("input_length", input_length)
    if kind not in RECURRENT_MODELS:
        raise ValueError(f"unknown model {kind!r}; choose one of {RECURRENT_MODELS}")
    cell = (VanillaRNNCell(hidden, init) if kind == "rnn"
            else EquationLSTMCell(hidden, "standard" if kind == "lstm" else "as_printed", init))
    digits = keras.Input((input_length, 1), name="digits")
    h = keras.layers.RNN(cell, unroll=unroll, name="recurrent")(digits)
    readout = (keras.layers.Dense(num_classes, name="readout") if init == "keras" else
               keras.layers.Dense(num_classes, kernel_initializer=_linear_init(hidden),
                                  bias_initializer=_linear_init(hidden), name="readout"))
    return keras.Model(digits, readout(h), name=kind)
