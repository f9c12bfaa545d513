"""FLOP counts of built models against multiply-adds counted by hand."""

import keras
import pytest

from mitlgan.flops import (
    forward_flops,
    graph_flops,
    graph_flops_and_loops,
    wgan_gp_step_flops,
)
from mitlgan.models import build_mitlgan_generator, build_wgan_critic, build_wgan_generator


def _small_network():
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2D(2, 3, strides=2, padding="same")(x)
    x = keras.layers.Flatten()(x)
    return keras.Model(inputs, keras.layers.Dense(5)(x))


def test_convolutions_and_dense_layers_count_two_flops_per_multiply_add():
    # conv 8x8 positions x (3x3x3) x 4; conv 4x4 x (3x3x4) x 2; dense 32 x 5
    expected = 2 * (64 * 27 * 4 + 16 * 36 * 2 + 32 * 5)
    assert forward_flops(_small_network()) == expected == 16448


def test_transposed_convolution_counts_per_input_position():
    inputs = keras.Input((4, 4, 6))
    model = keras.Model(inputs, keras.layers.Conv2DTranspose(3, 5, strides=2,
                                                             padding="same")(inputs))
    assert forward_flops(model) == 2 * 16 * 25 * 6 * 3


def test_the_quick_generator_by_hand():
    generator = build_wgan_generator(2048, 32)
    dense = 2048 * 2048
    convolutions = 64 * 9 * 128 * 64 + 256 * 9 * 64 * 32 + 1024 * 9 * 32 * 3
    assert forward_flops(generator) == 2 * (dense + convolutions)


def test_frozen_parts_are_counted_apart_and_the_step_follows_the_documented_rule():
    foreground = build_wgan_generator(64, 16, name="fg")
    background = build_wgan_generator(64, 16, name="bg")
    part = forward_flops(foreground)
    mitlgan = build_mitlgan_generator(foreground, background, filters=4, num_blocks=1,
                                      output_activation="tanh")
    total = forward_flops(mitlgan)
    frozen = forward_flops(mitlgan, trainable=False)
    head = forward_flops(mitlgan, trainable=True)
    assert frozen == 2 * part and head + frozen == total and head > 0
    # the merge is a 1x1 convolution of the 6 stacked channels to 3 at 16x16
    assert head > 2 * 256 * 6 * 3

    critic = build_wgan_critic(16, channels=(4, 8, 8, 8))
    d = forward_flops(critic)
    batch, n_critic = 16, 5
    expected = batch * (n_critic * (total + 12 * d) + frozen + 3 * head + 2 * d)
    assert wgan_gp_step_flops(mitlgan, critic, batch, n_critic) == expected
    # the parts are frozen now; a fresh generator of the same shape trains everything
    assert wgan_gp_step_flops(foreground, critic, batch, 1) == batch * (
        (part + 12 * d) + part + 2 * d)
    plain = build_wgan_generator(64, 16, name="plain")
    assert wgan_gp_step_flops(plain, critic, batch, 1) == batch * (
        (part + 12 * d) + 3 * part + 2 * d)


@pytest.mark.parametrize("trainable", [True, False])
def test_a_model_without_counted_layers_costs_nothing(trainable):
    inputs = keras.Input((4,))
    assert forward_flops(keras.Model(inputs, keras.layers.ReLU()(inputs)),
                         trainable=trainable) == 0


def test_graph_flops_of_a_matmul_is_2mnk():
    import tensorflow as tf

    m, n, k = 6, 5, 7
    flops = graph_flops(lambda a, b: tf.matmul(a, b),
                        tf.TensorSpec((m, k), tf.float32), tf.TensorSpec((k, n), tf.float32))
    assert flops == 2 * m * n * k


def test_a_while_loop_is_flagged_because_its_body_is_counted_once():
    import tensorflow as tf

    spec = tf.TensorSpec((4, 4), tf.float32)

    def looped(a):
        return tf.while_loop(lambda i, x: i < 10, lambda i, x: (i + 1, tf.matmul(x, x)),
                             (tf.constant(0), a))[1]

    flops, has_loop = graph_flops_and_loops(looped, spec)
    assert has_loop and flops < 10 * 2 * 4 ** 3  # ten products, counted at most once
    assert graph_flops_and_loops(lambda a: tf.matmul(a, a), spec) == (2 * 4 ** 3, False)
