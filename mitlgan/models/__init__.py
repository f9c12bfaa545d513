"""Functional-API builders for the thesis networks (one module per family).

- :func:`build_wgan_generator` -- thesis Table 7.1
- :func:`build_wgan_critic` -- thesis Table 7.2
- :func:`build_mitlgan_generator` -- thesis Table 7.3
- :func:`compare_with_thesis` -- our layers next to Tables 7.1-7.3 as printed
- :mod:`mitlgan.models.dcgan` -- document 001's DCGAN at 64x64
- :mod:`mitlgan.models.mnist` -- the MNIST judge, document 002's MLP GAN, document 003's FC GAN
- :mod:`mitlgan.models.zi2zi` -- document 000's zi2zi at 64x64
- :mod:`mitlgan.models.recurrent` -- document 002's LSTM (from its equations) and RNN cells
"""

from mitlgan.models.dcgan import (
    build_dcgan_discriminator,
    build_dcgan_generator,
    build_tutorial_dcgan_discriminator,
    build_tutorial_dcgan_generator,
)
from mitlgan.models.mitlgan import OUTPUT_ACTIVATIONS, build_mitlgan_generator
from mitlgan.models.mnist import (
    build_fc_discriminator,
    build_fc_generator,
    build_mlp_discriminator,
    build_mlp_generator,
    build_mnist_classifier,
)
from mitlgan.models.recurrent import (
    EquationLSTMCell,
    VanillaRNNCell,
    build_palindrome_classifier,
)
from mitlgan.models.thesis_tables import THESIS_TABLES, compare_with_thesis
from mitlgan.models.wgan import build_wgan_critic, build_wgan_generator
from mitlgan.models.zi2zi import (
    build_zi2zi_discriminator,
    build_zi2zi_encoder,
    build_zi2zi_generator,
)

__all__ = [
    "EquationLSTMCell",
    "OUTPUT_ACTIVATIONS",
    "VanillaRNNCell",
    "build_palindrome_classifier",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_tutorial_dcgan_discriminator",
    "build_tutorial_dcgan_generator",
    "build_fc_discriminator",
    "build_fc_generator",
    "build_mitlgan_generator",
    "build_mlp_discriminator",
    "build_mlp_generator",
    "build_mnist_classifier",
    "build_wgan_critic",
    "build_wgan_generator",
    "build_zi2zi_discriminator",
    "build_zi2zi_encoder",
    "build_zi2zi_generator",
    "compare_with_thesis",
    "THESIS_TABLES",
]
