"""Functional-API builders for the thesis networks (one module per family).

- :func:`build_wgan_generator` -- thesis Table 7.1
- :func:`build_wgan_critic` -- thesis Table 7.2
- :func:`build_mitlgan_generator` -- thesis Table 7.3
"""

from mitlgan.models.mitlgan import OUTPUT_ACTIVATIONS, build_mitlgan_generator
from mitlgan.models.wgan import build_wgan_critic, build_wgan_generator

__all__ = [
    "OUTPUT_ACTIVATIONS",
    "build_mitlgan_generator",
    "build_wgan_critic",
    "build_wgan_generator",
]
