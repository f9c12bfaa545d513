"""zi2zi's conditional GAN update (kaonashi-tyc/zi2zi ``model/unet.py``), with its four losses.

Per train step on (target, source, style) batches, as zi2zi's ``build_model`` and
``train`` do:

1. discriminator: ``bce(D(s, t), 1) + bce(D(s, G(s)), 0) + category / 2`` with
   ``category = w_cat * (sce(C(s, t), style) + sce(C(s, G(s)), style))``;
2. generator, **twice** (zi2zi's "magic move" from carpedm20): ``bce(D(s, G(s)), 1)
   + w_l1 * mean|G(s) - t| + w_cat * sce(C(s, G(s)), style) + w_const * mean((E(s) -
   E(G(s)))^2)``.

D is the real/fake logit, C the category logits, E the encoder's bottleneck, ``bce``
sigmoid cross-entropy on logits, ``sce`` the mean sigmoid cross-entropy of category
logits against the one-hot style (zi2zi's choice, not softmax). Weights: zi2zi's
defaults ``w_l1 = 100``, ``w_const = 15``, ``w_cat = 1`` (its TV loss weight is 0 and
left out). Optimiser: Adam(beta_1=0.5) for both sides with zi2zi's schedule, lr 1e-3
halved every 10 epochs down to 2e-4 (:class:`Zi2ZiLearningRate`).
"""

import keras
import tensorflow as tf

from mitlgan.gans.base import AdversarialModel
from mitlgan.losses import category_loss, const_loss, l1_loss, sigmoid_cross_entropy

ZI2ZI_METRIC_NAMES = ("discriminator_loss", "generator_loss", "l1_loss", "const_loss",
                      "category_loss", "cheat_loss")
ZI2ZI_LOSS_WEIGHTS = {"l1": 100.0, "const": 15.0, "category": 1.0}  # zi2zi's train.py


class Zi2ZiLearningRate(keras.callbacks.Callback):
    """zi2zi's schedule: at epoch e (0-based) both learning rates are
    ``max(initial / 2 ** ((e + 1) // every), minimum)``; a function of the epoch only,
    so a resumed run sets what an uninterrupted one would."""

    def __init__(self, initial=1e-3, every=10, minimum=2e-4):
        super().__init__()
        self.initial, self.every, self.minimum = initial, every, minimum

    def rate(self, epoch: int) -> float:
        """The learning rate of 0-based ``epoch``."""
        return max(self.initial / 2 ** ((epoch + 1) // self.every), self.minimum)

    def on_epoch_begin(self, epoch, logs=None):
        for optimizer in (self.model.g_optimizer, self.model.d_optimizer):
            optimizer.learning_rate.assign(self.rate(epoch))


class Zi2Zi(AdversarialModel):
    """zi2zi: a U-Net generator conditioned on a style id against a discriminator with a
    category head (``mitlgan.models.build_zi2zi_generator`` / ``..._discriminator``).

    Data: a tuple (targets (N, S, S, C) in [-1, 1], sources like them, styles (N,) int)
    for :func:`mitlgan.training.train`. Call ``gan.generator([sources, styles])`` to
    transfer glyphs.

    Args:
        generator, discriminator: the two networks.
        num_styles: the category head's size (``embedding_num``).
        loss_weights: {"l1", "const", "category"} (zi2zi's defaults).
        generator_steps: generator updates per discriminator update (zi2zi: 2).
        seed: the seed of dropout-free noise (zi2zi draws none; kept for the base).
    """

    metric_names = ZI2ZI_METRIC_NAMES
    discriminator_role = "discriminator"
    state_group = "zi2zi"

    def __init__(self, generator, discriminator, *, num_styles, loss_weights=None,
                 generator_steps=2, seed=0, name="zi2zi", **kwargs):
        super().__init__(generator, discriminator, seed=seed, name=name, **kwargs)
        self.encoder = generator.get_layer("encoder")
        self.num_styles = int(num_styles)
        self.loss_weights = {**ZI2ZI_LOSS_WEIGHTS, **(loss_weights or {})}
        if set(self.loss_weights) != set(ZI2ZI_LOSS_WEIGHTS):
            raise ValueError(f"loss_weights takes the keys {sorted(ZI2ZI_LOSS_WEIGHTS)}; got "
                             f"{sorted(self.loss_weights)}.")
        self.generator_steps = int(generator_steps)

    def _check_discriminator_input(self, discriminator, image_shape):
        shape = tuple(discriminator.inputs[0].shape[1:])
        if shape != image_shape[:-1] + (2 * image_shape[-1],):
            raise ValueError(f"The discriminator must take a source and a target glyph "
                             f"concatenated, {image_shape[:-1] + (2 * image_shape[-1],)}; "
                             f"it takes {shape}.")

    def default_optimizer(self):
        """Adam(1e-3, beta_1=0.5): zi2zi's; :class:`Zi2ZiLearningRate` decays it."""
        return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.5)

    def checkpoint_settings(self):
        """What changes the update: the loss weights and the generator steps."""
        return {"loss_weights": dict(self.loss_weights), "generator_steps": self.generator_steps}

    def losses_of(self, target, source, styles, training=True, with_const=True):
        """Every loss term on one batch: a dict of float32 scalars (the generator's fake
        is recomputed). ``with_const=False`` skips the encoder passes of the constant loss
        (the discriminator's update does not need them, as in zi2zi's graph)."""
        fake = self.generator([source, styles], training=training)
        real_logit, real_category = self.discriminator(tf.concat([source, target], -1),
                                                       training=training)
        fake_logit, fake_category = self.discriminator(tf.concat([source, fake], -1),
                                                       training=training)
        weights = self.loss_weights
        terms = {
            "d_real": sigmoid_cross_entropy(real_logit, tf.ones_like(real_logit)),
            "d_fake": sigmoid_cross_entropy(fake_logit, tf.zeros_like(fake_logit)),
            "real_category": category_loss(real_category, styles, self.num_styles),
            "fake_category": category_loss(fake_category, styles, self.num_styles),
            "cheat": sigmoid_cross_entropy(fake_logit, tf.ones_like(fake_logit)),
            "l1": weights["l1"] * l1_loss(fake, target),
            "const": weights["const"] * const_loss(
                self.encoder(source, training=training)[-1],
                self.encoder(fake, training=training)[-1]) if with_const else tf.constant(0.0),
        }
        category = weights["category"] * (terms["real_category"] + terms["fake_category"])
        terms["category"] = category
        terms["discriminator"] = terms["d_real"] + terms["d_fake"] + category / 2.0
        terms["generator"] = (terms["cheat"] + terms["l1"] + terms["const"]
                              + weights["category"] * terms["fake_category"])
        return terms

    def _update(self, side, target, source, styles):
        optimizer, network = ((self.d_optimizer, self.discriminator) if side == "discriminator"
                              else (self.g_optimizer, self.generator))
        variables = network.trainable_variables
        context = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            terms = self.losses_of(target, source, styles, with_const=side == "generator")
            # zi2zi's losses are means over this replica's batch: weighted by its share
            # of the global batch, as every family's losses are
            scaled = optimizer.scale_loss(self.replica_loss_of_mean(
                terms[side], self.local_batch_size(target), context))
        optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return terms

    def train_step(self, data):
        """One discriminator update, then ``generator_steps`` generator updates."""
        target, source, styles = data
        target, source = tf.cast(target, tf.float32), tf.cast(source, tf.float32)
        d_terms = self._update("discriminator", target, source, styles)
        for _ in range(self.generator_steps):
            g_terms = self._update("generator", target, source, styles)
        values = {"discriminator_loss": d_terms["discriminator"],
                  "generator_loss": g_terms["generator"], "l1_loss": g_terms["l1"],
                  "const_loss": g_terms["const"], "category_loss": d_terms["category"],
                  "cheat_loss": g_terms["cheat"]}
        for name, value in values.items():
            self.tracker(name).update_state(value)
        self.step_counter.assign_add(1)
        return self.tracker_results()
