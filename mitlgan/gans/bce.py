"""The plain GAN (Goodfellow et al. 2014): binary cross-entropy, one update per side per step."""

import keras
import tensorflow as tf

from mitlgan.gans.latent import LatentAdversarialModel
from mitlgan.losses import GENERATOR_LOSSES, bce_discriminator_loss, bce_generator_loss

#: Names of the metrics ``train_step`` returns. ``real_score`` and ``fake_score`` are the
#: mean D(x) and D(G(z)) as probabilities (before the generator's update).
BCE_METRIC_NAMES = ("discriminator_loss", "generator_loss", "real_score", "fake_score")


class BCEGAN(LatentAdversarialModel):
    """A GAN trained with binary cross-entropy: one discriminator update, then one generator update.

    Per ``train_step`` on a real batch x (B, ...):

    1. discriminator: minimise ``-log D(x) - log(1 - D(G(z)))`` (z fresh);
    2. generator: with a new z, minimise ``-log D(G(z))`` ("non_saturating", the usual
       practice and the default) or ``log(1 - D(G(z)))`` ("minimax", the formula of
       Goodfellow et al. that the reports write; it saturates when D wins).

    The order (discriminator first, then the generator against the updated
    discriminator) is Algorithm 1 of Goodfellow et al. with k = 1. The discriminator is
    called separately on the real and the fake batch, so a discriminator with
    BatchNormalization (DCGAN) sees batches of one kind, as in the DCGAN reference code.
    z is N(0, I) or U[-1, 1) (``latent_distribution``). Noise, data order, checkpoints
    and resume come from :class:`mitlgan.gans.AdversarialModel`.

    Args:
        generator: ``keras.Model`` from latents (fixed shapes) to samples (B, ...).
        discriminator: ``keras.Model`` from samples to (B, 1) or (B,) probabilities (a
            sigmoid output, as in the reports) or logits with ``from_logits=True``.
        generator_loss: one of :data:`mitlgan.losses.GENERATOR_LOSSES`.
        from_logits: whether the discriminator outputs logits.
        latent_distribution: "normal" or "uniform".
        seed: integer seed of the training noise (None: from Python's ``random``).
        sync_batch_norm: with several replicas, the generator's BatchNormalization uses
            global-batch statistics.
        name: model name.

    Metrics: ``discriminator_loss``, ``generator_loss``, ``real_score`` (mean D(x)),
    ``fake_score`` (mean D(G(z)) at the discriminator update), per-epoch means.
    """

    metric_names = BCE_METRIC_NAMES
    discriminator_role = "discriminator"
    state_group = "bcegan"

    def __init__(
        self,
        generator,
        discriminator,
        *,
        generator_loss="non_saturating",
        from_logits=False,
        latent_distribution="normal",
        seed=None,
        sync_batch_norm=True,
        name="bcegan",
        **kwargs,
    ):
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss={generator_loss!r} is not one of {GENERATOR_LOSSES}.")
        super().__init__(
            generator,
            discriminator,
            latent_distribution=latent_distribution,
            seed=seed,
            sync_batch_norm=sync_batch_norm,
            name=name,
            **kwargs,
        )
        self.generator_loss = generator_loss
        self.from_logits = bool(from_logits)

    def default_optimizer(self):
        """Adam(2e-4, beta_1=0.5): the DCGAN setting the reports' templates use."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def checkpoint_settings(self):
        """The generator objective and the score type: they change what training does."""
        return {"generator_loss": self.generator_loss, "from_logits": self.from_logits,
                "latent_distribution": self.latent_distribution}

    def _scores(self, samples):
        return tf.reshape(tf.cast(self.discriminator(samples, training=True), tf.float32), [-1])

    def _probabilities(self, scores):
        return tf.sigmoid(scores) if self.from_logits else scores

    def train_step(self, data):
        """One discriminator update, then one generator update; returns the metrics."""
        context = tf.distribute.get_replica_context()
        real = data[0] if isinstance(data, (tuple, list)) else data
        real = tf.cast(real, tf.float32)
        local_batch = self.local_batch_size(real)
        d_loss_tracker, g_loss_tracker = self.tracker("discriminator_loss"), self.tracker("generator_loss")
        real_tracker, fake_tracker = self.tracker("real_score"), self.tracker("fake_score")
        d_variables = self.discriminator.trainable_variables
        g_variables = self.generator.trainable_variables

        z, draw = self.draw_latents(0, local_batch, context)
        fake = self.generator(z, training=True)
        with tf.GradientTape() as tape:
            real_scores = self._scores(real)
            fake_scores = self._scores(tf.cast(fake, real.dtype))
            per_sample = bce_discriminator_loss(real_scores, fake_scores,
                                                from_logits=self.from_logits, reduction="none")
            d_loss = self.replica_loss(per_sample, context)
            scaled = self.d_optimizer.scale_loss(d_loss)
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, d_variables), d_variables))
        d_loss_tracker.update_state(tf.reduce_mean(per_sample))
        real_tracker.update_state(tf.reduce_mean(self._probabilities(real_scores)))
        fake_tracker.update_state(tf.reduce_mean(self._probabilities(fake_scores)))

        z, draw = self.draw_latents(draw, local_batch, context)
        with tf.GradientTape() as tape:
            fake_scores = self._scores(self.generator(z, training=True))
            per_sample = bce_generator_loss(
                fake_scores, self.generator_loss, from_logits=self.from_logits, reduction="none"
            )
            g_loss = self.replica_loss(per_sample, context)
            scaled = self.g_optimizer.scale_loss(g_loss)
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, g_variables), g_variables))
        g_loss_tracker.update_state(tf.reduce_mean(per_sample))
        self.step_counter.assign_add(1)
        return self.tracker_results()
