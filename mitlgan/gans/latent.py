"""GANs that generate from latent noise: :class:`LatentAdversarialModel`.

WGAN-GP and the BCE GAN draw their generator's input from a latent distribution; the
conditional zi2zi model does not (it transfers source glyphs), so it subclasses
:class:`mitlgan.gans.base.AdversarialModel` directly and has no ``sample_latents``.
"""

import tensorflow as tf

from mitlgan.gans.base import AdversarialModel
from mitlgan.gans.noise import LATENT_DISTRIBUTIONS, stateless_latents


class LatentAdversarialModel(AdversarialModel):
    """An :class:`~mitlgan.gans.base.AdversarialModel` whose generator maps latent noise
    (one input or several, e.g. the MITLGAN's two) to images.

    Args:
        generator, discriminator, seed, sync_batch_norm, name: see the base class.
        latent_distribution: "normal" (N(0, I)) or "uniform" (U[-1, 1)), used by
            :meth:`sample_latents` and :meth:`draw_latents`.
    """

    def __init__(self, generator, discriminator, *, latent_distribution="normal", **kwargs):
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"latent_distribution={latent_distribution!r} is not one of {LATENT_DISTRIBUTIONS}."
            )
        super().__init__(generator, discriminator, **kwargs)
        self.latent_shapes = [tuple(x.shape[1:]) for x in generator.inputs]
        self.latent_distribution = latent_distribution

    def noise_distribution(self, kind):
        """``"latent"`` is this model's ``latent_distribution``."""
        return self.latent_distribution if kind == "latent" else kind

    def _as_generator_input(self, latents):
        return latents[0] if len(latents) == 1 else list(latents)

    def sample_latents(self, num_samples, seed=0):
        """Fixed latents, e.g. for sample grids, independent of training state.

        Args:
            num_samples: batch size B.
            seed: integer seed; the same seed gives the same latents.

        Returns:
            A (B, latent_dim) float32 tensor (N(0, I) or U[-1, 1), see
            ``latent_distribution``) for a one-input generator, else a list of them (one
            per input, in the generator's input order).
        """
        latents = [
            stateless_latents(
                self.latent_distribution, (num_samples,) + shape, tf.constant([seed, index], tf.int64)
            )
            for index, shape in enumerate(self.latent_shapes)
        ]
        return self._as_generator_input(latents)

    def draw_latents(self, first_index, local_batch, context):
        """Generator input noise for this replica: (latents, next free draw index).

        One draw per generator input, indices ``first_index, first_index + 1, ...``.
        """
        values = [
            self.draw("latent", first_index + offset, shape, local_batch, context)
            for offset, shape in enumerate(self.latent_shapes)
        ]
        return self._as_generator_input(values), first_index + len(values)
