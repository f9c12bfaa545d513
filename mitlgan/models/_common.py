"""Layer settings several model families share, each from the source that fixes it."""

import keras

#: LeakyReLU slope of every family here: the thesis ("negative inputs get a 0.2
#: multiplier"), carpedm20's DCGAN, zi2zi and PyTorch-GAN's gan.py all use 0.2
LEAKY_SLOPE = 0.2
#: TensorFlow DCGAN batch norm (carpedm20's ``batch_norm``, which zi2zi reuses)
TF_DCGAN_BATCHNORM = {"momentum": 0.9, "epsilon": 1e-5}


def dcgan_initializer():
    """N(0, 0.02) weights, the DCGAN paper's initialisation (carpedm20, zi2zi)."""
    return keras.initializers.RandomNormal(0.0, 0.02)
