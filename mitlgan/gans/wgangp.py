"""WGAN-GP (Gulrajani et al. 2017) on the shared adversarial base: the update and its regimes."""

import keras
import tensorflow as tf

from mitlgan._checks import require_positive_int
from mitlgan.gans.latent import LatentAdversarialModel
from mitlgan.losses import gradient_penalty, wasserstein_critic_loss, wasserstein_generator_loss

#: "reused": one real batch per train_step, seen by all n_critic critic updates (the
#: widely copied Keras example; the thesis's "train the discriminator 5 times ... then
#: the generator once" per step). "fresh": a new real batch for every critic update
#: (Gulrajani et al., Algorithm 1).
REAL_BATCHES = ("reused", "fresh")

#: Names of the metrics ``train_step`` returns (and the progress bar shows).
METRIC_NAMES = ("critic_loss", "generator_loss", "gradient_penalty", "wasserstein_estimate")


def default_optimizer():
    """Adam(1e-4, beta_1=0, beta_2=0.9): Algorithm 1 of Gulrajani et al. (2017)."""
    return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)


class WGANGP(LatentAdversarialModel):
    """A WGAN-GP: n_critic critic updates, then one generator update, per ``train_step``.

    Critic loss per sample: ``D(G(z)) - D(x) + gp_weight * (||grad D(x_hat)||_2 - 1)^2``
    with ``x_hat = alpha * x + (1 - alpha) * G(z)``, alpha ~ U[0, 1] per sample.
    Generator loss: ``-D(G(z))``. z ~ N(0, I) is drawn for every input of the
    generator, so a MITLGAN generator with two latent inputs trains with no extra code.
    Only ``generator.trainable_variables`` get gradients (frozen MITLGAN parts are not
    updated and run in inference mode).

    **Real batches and epochs** (details in ``docs/training.md``):

    - ``"reused"`` (default, the thesis): each train_step takes one real batch
      (B, H, W, C) used by all n_critic critic updates. An epoch over N images is
      N // B train_steps.
    - ``"fresh"`` (Algorithm 1): each critic update gets its own real batch; a
      train_step takes (B, n_critic, H, W, C) (what :meth:`prepare_dataset` yields) or
      (n_critic * B, H, W, C). An epoch over N images is N // (n_critic * B)
      train_steps.

    Randomness, distribution, XLA and mixed precision follow the shared base
    (:class:`mitlgan.gans.AdversarialModel`); ``docs/training.md`` has the notes and
    the measurements behind the defaults.

    Args:
        generator: ``keras.Model`` with one or more latent inputs of fixed shape,
            output (B, H, W, C) images.
        critic: ``keras.Model`` (or layer) mapping (B, H, W, C) images to (B, 1) or (B,)
            scores; it must treat samples independently (no batch normalisation).
        n_critic: critic updates per generator update (Algorithm 1: 5).
        gp_weight: lambda, the weight of the gradient penalty (Algorithm 1: 10).
        real_batches: one of :data:`REAL_BATCHES`.
        seed: integer seed of the latents and alphas; None takes one from Python's
            ``random`` (which ``keras.utils.set_random_seed`` seeds).
        sync_batch_norm: with several replicas, the generator's BatchNormalization
            uses global-batch statistics.
        name: model name.

    Metrics (per epoch means, shown in the progress bar): ``critic_loss`` (with the
    penalty), ``generator_loss``, ``gradient_penalty`` (without lambda) and
    ``wasserstein_estimate`` = mean(D(real)) - mean(D(fake)); the critic metrics average
    over all n_critic critic updates.
    """

    metric_names = METRIC_NAMES
    discriminator_role = "critic"
    state_group = "wgangp"

    def __init__(
        self,
        generator,
        critic,
        n_critic=5,
        gp_weight=10.0,
        *,
        real_batches="reused",
        seed=None,
        sync_batch_norm=True,
        name="wgangp",
        **kwargs,
    ):
        require_positive_int("n_critic", n_critic)
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight={gp_weight!r} must be >= 0.")
        if real_batches not in REAL_BATCHES:
            raise ValueError(f"real_batches={real_batches!r} is not one of {REAL_BATCHES}.")
        super().__init__(
            generator, critic, seed=seed, sync_batch_norm=sync_batch_norm, name=name, **kwargs
        )
        self.n_critic = n_critic
        self.gp_weight = float(gp_weight)
        self.real_batches = real_batches

    @property
    def critic(self):
        """The critic (the base class's ``discriminator``)."""
        return self.discriminator

    def default_optimizer(self):
        """Adam(1e-4, beta_1=0, beta_2=0.9), see :func:`default_optimizer`."""
        return default_optimizer()

    def checkpoint_settings(self):
        """n_critic, gp_weight and the real-batch regime: they decide what a step means."""
        return {"n_critic": self.n_critic, "gp_weight": self.gp_weight, "real_batches": self.real_batches}

    # ---- data layout of the regimes ----------------------------------------------------------

    def images_per_step(self, batch_size):
        """Real images one train_step consumes: B ("reused") or n_critic * B ("fresh")."""
        return batch_size * (self.n_critic if self.real_batches == "fresh" else 1)

    def _step_index_shape(self, batch_size):
        return [batch_size] + ([self.n_critic] if self.real_batches == "fresh" else [])

    def _arrange_step_batch(self, batch, batch_size):
        # Consecutive groups of n_critic images form one row (B, n_critic, H, W, C).
        return tf.reshape(batch, tf.concat([[batch_size, self.n_critic], tf.shape(batch)[1:]], 0))

    def _real_batches(self, data):
        if isinstance(data, (tuple, list)):
            data = data[0]
        real = tf.cast(data, tf.float32)
        rank = real.shape.rank
        if rank is None:
            raise ValueError(
                "The real batches have an unknown rank: the compiled step was probably "
                "retraced for batches of different ranks. Feed one kind of batch, or call "
                "make_train_function(force=True) after changing it."
            )
        if self.real_batches == "reused":
            if rank != 4:
                raise ValueError(
                    f"real_batches='reused' expects real batches (B, H, W, C); got shape {real.shape}."
                )
            return [real] * self.n_critic
        if rank == 5:
            if real.shape[1] not in (None, self.n_critic):
                raise ValueError(
                    f"real_batches='fresh' got batches of shape {real.shape}; axis 1 must be "
                    f"n_critic={self.n_critic} (one real batch per critic update)."
                )
            return [real[:, k] for k in range(self.n_critic)]
        if rank == 4:
            if real.shape[0] is not None and real.shape[0] % self.n_critic:
                raise ValueError(
                    f"real_batches='fresh' got a batch of {real.shape[0]} images, which does not "
                    f"split into n_critic={self.n_critic} equal batches."
                )
            return tf.split(real, self.n_critic, axis=0)
        raise ValueError(
            "real_batches='fresh' expects (B, n_critic, H, W, C) or (n_critic * B, H, W, C); "
            f"got shape {real.shape}."
        )

    # ---- the update ----------------------------------------------------------------------------

    def train_step(self, data):
        """n_critic critic updates, then one generator update; returns the metrics."""
        context = tf.distribute.get_replica_context()
        reals = self._real_batches(data)
        local_batch = self.local_batch_size(reals[0])
        critic_variables = self.critic.trainable_variables
        generator_variables = self.generator.trainable_variables
        critic_loss, generator_loss = self.tracker("critic_loss"), self.tracker("generator_loss")
        penalty, wasserstein = self.tracker("gradient_penalty"), self.tracker("wasserstein_estimate")
        draw = 0

        for real in reals:
            z, draw = self.draw_latents(draw, local_batch, context)
            fake = self.generator(z, training=True)
            alpha = self.draw("uniform", draw, (), local_batch, context)
            draw += 1
            with tf.GradientTape() as tape:
                # One critic call on real and fake together (same weights and dropout
                # rate; a larger batch uses the convolutions better).
                scores = self.critic(tf.concat([real, tf.cast(fake, real.dtype)], 0), training=True)
                scores = tf.reshape(tf.cast(scores, tf.float32), [-1])
                real_scores, fake_scores = scores[:local_batch], scores[local_batch:]
                penalties = gradient_penalty(self.critic, real, fake, alpha, reduction="none")
                per_sample = (wasserstein_critic_loss(real_scores, fake_scores, reduction="none")
                              + self.gp_weight * penalties)
                loss = self.replica_loss(per_sample, context)
                scaled_loss = self.d_optimizer.scale_loss(loss)
            gradients = tape.gradient(scaled_loss, critic_variables)
            self.d_optimizer.apply_gradients(zip(gradients, critic_variables))
            critic_loss.update_state(tf.reduce_mean(per_sample))
            penalty.update_state(tf.reduce_mean(penalties))
            wasserstein.update_state(tf.reduce_mean(real_scores) - tf.reduce_mean(fake_scores))

        z, draw = self.draw_latents(draw, local_batch, context)
        with tf.GradientTape() as tape:
            fake_scores = self.critic(self.generator(z, training=True), training=True)
            per_sample = wasserstein_generator_loss(fake_scores, reduction="none")
            loss = self.replica_loss(per_sample, context)
            scaled_loss = self.g_optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, generator_variables)
        self.g_optimizer.apply_gradients(zip(gradients, generator_variables))
        generator_loss.update_state(tf.reduce_mean(per_sample))
        self.step_counter.assign_add(1)
        return self.tracker_results()
