"""The networks of the MITLGAN experiment, built from a resolved configuration.

One place for the run's stages, their up-front check and the cost model
(``python -m reproductions.mitlgan.cost``), so all three build the same models.
"""

from __future__ import annotations

from reproductions.mitlgan.config import VARIANTS

#: generator name inside the MITLGAN for each part stage (the two names must differ)
PART_GENERATOR_NAMES = {"wgan_foreground": "foreground_generator",
                        "wgan_background": "background_generator"}
COMBINED_GENERATOR_NAME = "combined_generator"


def build_generator(config, name: str):
    """A Table 7.1 WGAN generator at the run's size: latent (B, latent_dim) -> images
    (B, S, S, 3) in [-1, 1]."""
    from mitlgan.models import build_wgan_generator

    return build_wgan_generator(config.latent_dim, config.image_size, name=name)


def build_critic(config):
    """A Table 7.2 critic at the run's size: (B, S, S, 3) -> (B, 1) scores."""
    from mitlgan.models import build_wgan_critic

    return build_wgan_critic(config.image_size, channels=tuple(config.critic_channels))


def build_head(config, variant: str, foreground, background):
    """The MITLGAN of ``variant`` (a key of :data:`VARIANTS`: its output activation) on
    the two (frozen) part generators: two latents -> (B, S, S, 3)."""
    from mitlgan.models import build_mitlgan_generator

    return build_mitlgan_generator(foreground, background, filters=config.head_filters,
                                   num_blocks=config.num_blocks,
                                   output_activation=VARIANTS[variant][1])
