"""GAN models as ``keras.Model`` subclasses with a custom ``train_step``.

- :class:`AdversarialModel` (``base``): the shared base of every GAN family: seeded
  stateless noise, the step counter, checkpoint variables, dataset preparation,
  ``compile`` with two optimizers, the metric trackers.
- :class:`LatentAdversarialModel` (``latent``): the base of GANs that generate from
  latent noise (``sample_latents``, ``draw_latents``); zi2zi is conditional and has none.
- :class:`WGANGP` (``wgangp``): Gulrajani et al.'s WGAN-GP, the thesis's GAN.
- :class:`BCEGAN` (``bce``): the plain binary cross-entropy GAN of the MNIST and
  DCGAN reports.
- :class:`Zi2Zi` (``zi2zi``): zi2zi's conditional font-transfer GAN (its four losses are
  in :mod:`mitlgan.losses`, as every family's).
- ``noise``: the stateless draws; ``precision``: :func:`dtype_policy`.

Training notes (regimes, epochs, distribution, XLA, mixed precision and their
measurements) are in ``docs/training.md``.
"""

from mitlgan.gans.base import AdversarialModel, accelerator_present, num_replicas_in_strategy
from mitlgan.gans.bce import BCE_METRIC_NAMES, BCEGAN
from mitlgan.gans.latent import LatentAdversarialModel
from mitlgan.gans.noise import (
    LATENT_DISTRIBUTIONS,
    stateless_latents,
    stateless_normal,
    stateless_uniform,
)
from mitlgan.gans.precision import dtype_policy
from mitlgan.gans.wgangp import METRIC_NAMES, REAL_BATCHES, WGANGP, default_optimizer
from mitlgan.gans.zi2zi import ZI2ZI_METRIC_NAMES, Zi2Zi, Zi2ZiLearningRate

__all__ = [
    "BCEGAN",
    "BCE_METRIC_NAMES",
    "LATENT_DISTRIBUTIONS",
    "METRIC_NAMES",
    "REAL_BATCHES",
    "WGANGP",
    "ZI2ZI_METRIC_NAMES",
    "Zi2Zi",
    "Zi2ZiLearningRate",
    "AdversarialModel",
    "LatentAdversarialModel",
    "accelerator_present",
    "default_optimizer",
    "dtype_policy",
    "num_replicas_in_strategy",
    "stateless_latents",
    "stateless_normal",
    "stateless_uniform",
]
