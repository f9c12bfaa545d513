"""The MNIST networks against their layer tables, parameter counts computed by hand."""

import numpy as np
import pytest

from mitlgan.models import (
    build_fc_discriminator,
    build_fc_generator,
    build_mlp_discriminator,
    build_mlp_generator,
    build_mnist_classifier,
)


def dense(n_in, n_out):
    return n_in * n_out + n_out


def batchnorm(n):
    return 4 * n  # gamma, beta (trainable), moving mean and variance


def table(model):
    """[(layer name, output shape without batch, parameters)] for layers with weights or reshapes."""
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers if layer.count_params() or "reshape" in type(layer).__name__.lower()]


def test_seed_002_mlp_generator_layer_table():
    model = build_mlp_generator()
    assert table(model) == [
        ("dense1", (128,), dense(100, 128)),
        ("dense2", (256,), dense(128, 256)), ("bn2", (256,), batchnorm(256)),
        ("dense3", (512,), dense(256, 512)), ("bn3", (512,), batchnorm(512)),
        ("dense4", (1024,), dense(512, 1024)), ("bn4", (1024,), batchnorm(1024)),
        ("dense_out", (784,), dense(1024, 784)),  # the report's "768" is 28 x 28 = 784
        ("image", (28, 28, 1), 0),
    ]
    assert model.count_params() == 1_513_616
    bn = model.get_layer("bn2")
    assert bn.epsilon == 0.8 and bn.momentum == 0.9  # PyTorch-GAN's BatchNorm1d(n, 0.8)
    assert build_mlp_generator(batchnorm_epsilon=1e-3).get_layer("bn3").epsilon == 1e-3


def test_seed_002_mlp_discriminator_layer_table():
    model = build_mlp_discriminator()
    assert table(model) == [("dense1", (512,), dense(784, 512)),
                            ("dense2", (256,), dense(512, 256)), ("score", (1,), dense(256, 1))]
    assert model.count_params() == 533_505


def test_seed_003_fc_generator_and_its_ablations():
    base = build_fc_generator()
    assert table(base) == [("dense1", (128,), dense(100, 128)), ("dense2", (256,), dense(128, 256)),
                           ("dense3", (512,), dense(256, 512)), ("dense4", (1024,), dense(512, 1024)),
                           ("dense_out", (784,), dense(1024, 784)), ("image", (28, 28, 1), 0)]
    fixed = build_fc_generator(widths=(128,) * 4)
    assert fixed.count_params() == dense(100, 128) + 3 * dense(128, 128) + dense(128, 784)
    with_bn = build_fc_generator(batchnorm=True)
    assert with_bn.count_params() == base.count_params() + batchnorm(128 + 256 + 512 + 1024)
    dropout = build_fc_generator(dropout=0.4)
    assert dropout.count_params() == base.count_params()
    assert [layer.rate for layer in dropout.layers if "dropout" in layer.name] == [0.4] * 4
    conv = build_fc_generator(conv_filters=(8, 16, 32))
    assert table(conv) == [
        ("dense", (784,), dense(100, 784)), ("reshape", (28, 28, 1), 0),
        ("conv1", (28, 28, 8), 9 * 1 * 8 + 8), ("conv2", (28, 28, 16), 9 * 8 * 16 + 16),
        ("conv3", (28, 28, 32), 9 * 16 * 32 + 32), ("image", (28, 28, 1), 9 * 32 + 1)]
    wide = build_fc_generator(conv_filters=(16, 32, 64))
    assert wide.count_params() == dense(100, 784) + (9 * 16 + 16) + (9 * 16 * 32 + 32) + (
        9 * 32 * 64 + 64) + (9 * 64 + 1)


def test_seed_003_fc_discriminator_with_and_without_dropout():
    base = build_fc_discriminator()
    assert table(base) == [("dense1", (1024,), dense(784, 1024)), ("dense2", (512,), dense(1024, 512)),
                           ("dense3", (256,), dense(512, 256)), ("dense4", (128,), dense(256, 128)),
                           ("score", (1,), dense(128, 1))]
    assert build_fc_discriminator(widths=(128,) * 4).count_params() == (
        dense(784, 128) + 3 * dense(128, 128) + dense(128, 1))
    assert [layer.rate for layer in build_fc_discriminator(dropout=0.3).layers
            if "dropout" in layer.name] == [0.3] * 4


def test_judge_layer_table():
    model = build_mnist_classifier()
    assert table(model) == [
        ("conv1", (26, 26, 32), 9 * 32 + 32), ("conv2", (24, 24, 64), 9 * 32 * 64 + 64),
        ("features", (128,), dense(12 * 12 * 64, 128)), ("classes", (10,), dense(128, 10))]
    assert model.count_params() == 1_199_882


def test_outputs_are_in_range_and_bad_arguments_are_named():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, 100)).astype("float32")
    for generator in (build_mlp_generator(), build_fc_generator(conv_filters=(8, 16, 32))):
        images = np.asarray(generator(z, training=False))
        assert images.shape == (3, 28, 28, 1) and np.abs(images).max() <= 1
    scores = np.asarray(build_fc_discriminator(dropout=0.5)(np.zeros((2, 28, 28, 1)), training=False))
    assert scores.shape == (2, 1) and np.all((scores > 0) & (scores < 1))
    probabilities = np.asarray(build_mnist_classifier()(np.zeros((2, 28, 28, 1))))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    with pytest.raises(ValueError, match="dropout=1.2"):
        build_fc_discriminator(dropout=1.2)
    with pytest.raises(ValueError, match="latent_dim=0"):
        build_mlp_generator(0)
