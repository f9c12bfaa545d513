"""The adversarial base class every GAN family of the package subclasses.

:class:`AdversarialModel` holds what WGAN-GP, the BCE GAN and the conditional zi2zi
model share: a generator and a discriminator (the WGAN's critic), the seed and
train-step counter variables behind stateless noise, dataset preparation whose order
in epoch e depends only on (seed, e), ``checkpoint_variables`` for
:mod:`mitlgan.checkpoints`, ``compile`` with two optimizers (and loss scaling for
float16), the metric trackers (looked up by name) and the one rule for losses under
``tf.distribute`` (:meth:`AdversarialModel.replica_loss`). A GAN that generates from
latent noise subclasses :class:`mitlgan.gans.latent.LatentAdversarialModel`, which adds
``sample_latents`` and ``draw_latents``; a conditional one (zi2zi) subclasses this base
directly. A subclass sets :attr:`metric_names`, the checkpoint names below, and writes
``train_step``. See ``docs/training.md``.
"""

import random

import keras
import tensorflow as tf

from mitlgan.gans.batching import RealDataBatching
from mitlgan.gans.noise import RNG_ALGORITHM, stateless_latents, stateless_uniform
from mitlgan.gans.precision import all_layers, compute_dtypes


def num_replicas_in_strategy():
    """Replicas of the current ``tf.distribute`` strategy (1 without one)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def accelerator_present():
    """True when TensorFlow sees a GPU or TPU."""
    return any(d.device_type in ("GPU", "TPU") for d in tf.config.list_logical_devices())


class AdversarialModel(RealDataBatching, keras.Model):
    """A generator and a discriminator trained against each other by ``fit``.

    Subclasses implement ``train_step`` and set:

    - :attr:`metric_names`: the names of the trackers ``train_step`` updates;
    - :attr:`discriminator_role`: how checkpoints and messages name the discriminator
      ("critic" for WGAN-GP);
    - :attr:`state_group`: the checkpoint group holding the seed and step counter;
    - :meth:`default_optimizer` and :meth:`checkpoint_settings` if they differ.

    **Randomness.** Noise comes from :meth:`draw`, a stateless function of the
    model's ``seed``, its train-step counter (both variables saved in checkpoints) and
    a draw index, so a resumed run draws exactly what an uninterrupted one would. The
    global batch is drawn and each replica takes its slice, so the noise does not depend
    on the number of replicas. Dropout uses its layers' own seed generators, whose
    states are model variables and are checkpointed too.

    **Distribution.** Build the models, this object and call ``compile`` inside
    ``strategy.scope()``. Every family follows one rule: a replica minimises the sum of
    its samples' losses divided by the *global* batch (:meth:`replica_loss`), so the
    gradients summed over replicas are one device's on the whole batch. With more than
    one replica and ``sync_batch_norm=True``, the trainable BatchNormalization layers of
    both networks normalise with global-batch statistics, as on one device.

    Args:
        generator: ``keras.Model`` whose inputs have fixed shapes (latents, or for a
            conditional model its conditions).
        discriminator: ``keras.Model`` or layer.
        seed: integer seed of all training noise; None takes one from Python's
            ``random`` (which ``keras.utils.set_random_seed`` seeds).
        sync_batch_norm: see Distribution above.
        name: model name.
    """

    metric_names = ()
    discriminator_role = "discriminator"
    state_group = "adversarial"

    def __init__(
        self,
        generator,
        discriminator,
        *,
        seed=None,
        sync_batch_norm=True,
        name=None,
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        role = self.discriminator_role
        if not isinstance(generator, keras.Model):
            raise ValueError(
                f"generator must be a keras.Model with latent inputs, got {type(generator).__name__}."
            )
        if not isinstance(discriminator, keras.layers.Layer):
            raise ValueError(f"{role} must be a keras.Model or layer, got {type(discriminator).__name__}.")
        input_shapes = [tuple(x.shape[1:]) for x in generator.inputs]
        if any(d is None for shape in input_shapes for d in shape):
            raise ValueError(
                f"The generator's inputs must have fixed shapes; got {input_shapes}."
            )
        image_shape = tuple(generator.outputs[0].shape[1:])
        self._check_discriminator_input(discriminator, image_shape)
        if seed is None:
            seed = random.randint(0, 2**31 - 1)

        self.generator = generator
        self.discriminator = discriminator
        self.image_shape = image_shape
        self.g_optimizer = None
        self.d_optimizer = None
        # only_first_replica: replicas hold the same value; the first one's update counts.
        self.seed_variable = self.add_weight(
            name="seed",
            shape=(),
            dtype="int64",
            initializer=keras.initializers.Constant(int(seed)),
            trainable=False,
            aggregation="only_first_replica",
        )
        self.step_counter = self.add_weight(
            name="train_steps",
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            aggregation="only_first_replica",
        )
        self._trackers = {n: keras.metrics.Mean(name=n) for n in self.metric_names}
        if sync_batch_norm and num_replicas_in_strategy() > 1:
            for network in (generator, discriminator):
                for layer in all_layers(network):
                    if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable:
                        layer.synchronized = True
        # Everything is created above; Keras must not try to build by calling the model.
        self.built = True

    def _check_discriminator_input(self, discriminator, image_shape):
        """Refuse a one-input discriminator that does not take the generator's images."""
        inputs = getattr(discriminator, "inputs", None)
        if inputs and len(inputs) == 1:
            shape = tuple(inputs[0].shape[1:])
            if shape != image_shape:
                raise ValueError(
                    f"The generator makes images of shape {image_shape} but the "
                    f"{self.discriminator_role} takes {shape}."
                )

    # ---- configuration -------------------------------------------------------------------

    @property
    def metrics(self):
        """The trackers of :attr:`metric_names` (reset at every epoch by ``fit``)."""
        return list(self._trackers.values())

    def tracker(self, name):
        """The ``keras.metrics.Mean`` tracking metric ``name`` (one of :attr:`metric_names`)."""
        return self._trackers[name]

    @property
    def seed(self):
        """The integer seed of the training noise (restored with checkpoints)."""
        return int(self.seed_variable.numpy())

    @property
    def train_steps(self):
        """Number of completed train_steps, across resumes."""
        return int(self.step_counter.numpy())

    def default_optimizer(self):
        """A new optimizer for a side that ``compile`` was not given one for."""
        return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)

    def checkpoint_settings(self):
        """Settings stored in checkpoints; a resume under another value of one of them is
        refused (:class:`mitlgan.training.ResumeSettingsError`)."""
        return {}

    def _resolve_jit_compile(self, jit_compile):
        if jit_compile == "auto":
            return accelerator_present() and num_replicas_in_strategy() == 1
        return bool(jit_compile)

    def compile(
        self,
        *positional,
        g_optimizer=None,
        d_optimizer=None,
        jit_compile="auto",
        steps_per_execution=1,
        run_eagerly=False,
    ):
        """Set the two optimizers and how the train step is compiled.

        Every argument is a keyword: keras-io's GANs take ``compile(d_optimizer,
        g_optimizer, loss_fn)`` positionally, so a positional call copied from there
        would silently swap the two optimizers here; it raises ``TypeError`` instead.

        Args:
            g_optimizer: generator optimizer (instance, name or config); default
                :meth:`default_optimizer`.
            d_optimizer: discriminator optimizer; default :meth:`default_optimizer`.
            jit_compile: "auto" (XLA only with a GPU/TPU and one replica: on the 2-core
                CPUs XLA ran ~3x slower), True or False.
            steps_per_execution: train_steps per compiled call (Keras's meaning).
            run_eagerly: debug mode, no graph compilation.

        With float16 layers, optimizers that are not yet ``LossScaleOptimizer`` are
        wrapped in one. Both optimizers are built (slots created) here, so a checkpoint
        can be restored before the first step.
        """
        if positional:
            raise TypeError(
                f"{type(self).__name__}.compile takes its optimizers as keywords: "
                "compile(g_optimizer=..., d_optimizer=...). It got "
                f"{len(positional)} positional argument(s); keras-io's GANs take "
                "(d_optimizer, g_optimizer, loss_fn) in that order, and the loss is the "
                "model's own here.")
        g_optimizer = keras.optimizers.get(g_optimizer) or self.default_optimizer()
        d_optimizer = keras.optimizers.get(d_optimizer) or self.default_optimizer()
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects.")
        if "float16" in compute_dtypes(self.generator) | compute_dtypes(self.discriminator):
            if not isinstance(g_optimizer, keras.optimizers.LossScaleOptimizer):
                g_optimizer = keras.optimizers.LossScaleOptimizer(g_optimizer, name="g_loss_scale")
            if not isinstance(d_optimizer, keras.optimizers.LossScaleOptimizer):
                d_optimizer = keras.optimizers.LossScaleOptimizer(d_optimizer, name="d_loss_scale")
        super().compile(
            optimizer=None,
            jit_compile=self._resolve_jit_compile(jit_compile),
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer
        self.build_optimizers()

    def build_optimizers(self):
        """Create the optimizers' slot variables for the trainable weights (idempotent)."""
        if self.g_optimizer is None or self.d_optimizer is None:
            raise RuntimeError("Call compile() before building or restoring optimizers.")
        if not self.g_optimizer.built:
            self.g_optimizer.build(self.generator.trainable_variables)
        if not self.d_optimizer.built:
            self.d_optimizer.build(self.discriminator.trainable_variables)

    def checkpoint_variables(self):
        """Every variable a checkpoint must hold, grouped and in a fixed order.

        Returns:
            dict: "generator" and :attr:`discriminator_role` (all their variables, frozen
            parts, BN moving statistics and dropout seed states included),
            :attr:`state_group` (seed and step counter), "g_optimizer" and
            "d_optimizer" (iterations, learning rate, slots, loss scale).
        """
        self.build_optimizers()
        return {
            "generator": list(self.generator.variables),
            self.discriminator_role: list(self.discriminator.variables),
            self.state_group: [self.seed_variable, self.step_counter],
            "g_optimizer": list(self.g_optimizer.variables),
            "d_optimizer": list(self.d_optimizer.variables),
        }

    def call(self, inputs, training=False):
        """Generate images: ``gan(inputs)`` is ``gan.generator(inputs)``."""
        return self.generator(inputs, training=training)

    # ---- noise inside train_step -------------------------------------------------------------

    def noise_distribution(self, kind):
        """The :func:`mitlgan.gans.noise.stateless_latents` distribution of ``kind``."""
        if kind == "latent":
            raise ValueError(f"{type(self).__name__} draws no latent noise; subclass "
                             "mitlgan.gans.latent.LatentAdversarialModel for a latent GAN.")
        return kind

    def draw(self, kind, draw_index, tail, local_batch, context):
        """Noise of shape (local_batch,) + tail for this replica, keyed by (seed, step, index).

        Args:
            kind: "uniform" (U[0, 1)), "normal" (N(0, 1)), or "latent" for a
                :class:`~mitlgan.gans.latent.LatentAdversarialModel` (its
                ``latent_distribution``).
            draw_index: int, distinct for every draw within one train_step.
            tail: per-sample shape.
            local_batch: this replica's batch size.
            context: the replica context (``tf.distribute.get_replica_context()``).
        """
        # Stateless: the draw is a function of (seed, train step, draw index) only. The
        # global batch is drawn and each replica takes its slice, so the noise is the
        # same whatever the number of replicas.
        key = tf.stack([tf.convert_to_tensor(self.seed_variable), tf.convert_to_tensor(self.step_counter)])
        key = tf.random.experimental.stateless_fold_in(key, draw_index, alg=RNG_ALGORITHM)
        replicas = context.num_replicas_in_sync
        shape = [local_batch * replicas] + list(tail)
        if kind == "uniform":
            values = stateless_uniform(shape, key)
        else:
            values = stateless_latents(self.noise_distribution(kind), shape, key)
        if replicas == 1:
            return values
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * local_batch
        return tf.slice(values, [start] + [0] * len(tail), [local_batch] + list(tail))

    @staticmethod
    def local_batch_size(batch):
        """The static batch size of a tensor, or its dynamic size when unknown."""
        size = batch.shape[0]
        return tf.shape(batch)[0] if size is None else size

    @staticmethod
    def global_batch(local_batch, context):
        """float32 global batch: divide per-replica loss sums by it (summed gradients = one device's)."""
        return tf.cast(local_batch * context.num_replicas_in_sync, tf.float32)

    @classmethod
    def replica_loss(cls, per_sample, context):
        """The loss a replica minimises: the sum of its (B_local,) per-sample losses over
        the global batch. Summed over replicas this is the global batch's mean, so the
        summed gradients are one device's; on one replica it is the batch mean."""
        local_batch = cls.local_batch_size(per_sample)
        return tf.reduce_sum(per_sample) / cls.global_batch(local_batch, context)

    @classmethod
    def replica_loss_of_mean(cls, local_mean, local_batch, context):
        """:meth:`replica_loss` for a loss already averaged over this replica's
        ``local_batch`` samples: ``local_mean * (B_local / B_global)``, the same sum over
        the global batch (the ratio is exactly 1 on one replica, so nothing is rounded)."""
        share = tf.cast(local_batch, tf.float32) / cls.global_batch(local_batch, context)
        return local_mean * share

    def tracker_results(self):
        """{name: current mean} of every tracker: what ``train_step`` returns.

        Under ``MultiWorkerMirroredStrategy`` each value is a (1,) tensor: Keras 3
        averages a multi-worker ``fit``'s per-replica logs with
        ``strategy.reduce("MEAN", value, axis=0)``, which fails on a scalar.
        """
        results = {name: tracker.result() for name, tracker in self._trackers.items()}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results
