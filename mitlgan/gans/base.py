"""The adversarial base class every GAN family of the package subclasses.

:class:`AdversarialModel` holds what WGAN-GP, the BCE GAN and the conditional zi2zi
model share: a generator and a discriminator (the WGAN's critic), the seed and
train-step counter variables behind stateless noise, ``sample_latents``, dataset
preparation whose order in epoch e depends only on (seed, e), ``checkpoint_variables``
for :mod:`mitlgan.checkpoints`, ``compile`` with two optimizers (and loss scaling for
float16), and the metric trackers. A subclass sets :attr:`metric_names`, the
checkpoint names below, and writes ``train_step``. See ``docs/training.md``.
"""

from mitlgan._backend import ensure_tensorflow_backend

ensure_tensorflow_backend()

import random  # noqa: E402

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from mitlgan.gans.batching import RealDataBatching  # noqa: E402
from mitlgan.gans.noise import (  # noqa: E402
    LATENT_DISTRIBUTIONS,
    RNG_ALGORITHM,
    stateless_latents,
    stateless_uniform,
)
from mitlgan.gans.precision import all_layers, compute_dtypes  # noqa: E402


def num_replicas_in_strategy():
    """Replicas of the current ``tf.distribute`` strategy (1 without one)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def accelerator_present():
    """True when TensorFlow sees a GPU or TPU."""
    return any(d.device_type in ("GPU", "TPU") for d in tf.config.list_logical_devices())


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} must be a positive integer.")


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
    ``strategy.scope()``; divide per-replica loss sums by :meth:`global_batch`. With
    more than one replica and ``sync_batch_norm=True``, the generator's trainable
    BatchNormalization layers normalise with global-batch statistics.

    Args:
        generator: ``keras.Model`` whose inputs have fixed shapes (latents, or for a
            conditional model its conditions).
        discriminator: ``keras.Model`` or layer.
        latent_distribution: "normal" (N(0, I)) or "uniform" (U[-1, 1)), used by
            :meth:`sample_latents` and :meth:`draw_latents`.
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
        latent_distribution="normal",
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
        if latent_distribution not in LATENT_DISTRIBUTIONS:
            raise ValueError(
                f"latent_distribution={latent_distribution!r} is not one of {LATENT_DISTRIBUTIONS}."
            )
        latent_shapes = [tuple(x.shape[1:]) for x in generator.inputs]
        if any(d is None for shape in latent_shapes for d in shape):
            raise ValueError(
                f"The generator's latent inputs must have fixed shapes; got {latent_shapes}."
            )
        image_shape = tuple(generator.outputs[0].shape[1:])
        self._check_discriminator_input(discriminator, image_shape)
        if seed is None:
            seed = random.randint(0, 2**31 - 1)

        self.generator = generator
        self.discriminator = discriminator
        self.latent_shapes = latent_shapes
        self.latent_distribution = latent_distribution
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
        self._trackers = [keras.metrics.Mean(name=n) for n in self.metric_names]
        if sync_batch_norm and num_replicas_in_strategy() > 1:
            for layer in all_layers(generator):
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
        return list(self._trackers)

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
        """Settings stored in checkpoints; a resume warns when one of them differs."""
        return {}

    def _resolve_jit_compile(self, jit_compile):
        if jit_compile == "auto":
            return accelerator_present() and num_replicas_in_strategy() == 1
        return bool(jit_compile)

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        *,
        jit_compile="auto",
        steps_per_execution=1,
        run_eagerly=False,
    ):
        """Set the two optimizers and how the train step is compiled.

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

    # ---- sampling --------------------------------------------------------------------------

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

    def call(self, inputs, training=False):
        """Generate images from latents: ``gan(z)`` is ``gan.generator(z)``."""
        return self.generator(inputs, training=training)

    # ---- noise inside train_step -------------------------------------------------------------

    def draw(self, kind, draw_index, tail, local_batch, context):
        """Noise of shape (local_batch,) + tail for this replica, keyed by (seed, step, index).

        Args:
            kind: "uniform" (U[0, 1)), "normal" (N(0, 1)) or "latent" (the model's
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
            values = stateless_latents(self.latent_distribution if kind == "latent" else kind, shape, key)
        if replicas == 1:
            return values
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * local_batch
        return tf.slice(values, [start] + [0] * len(tail), [local_batch] + list(tail))

    def draw_latents(self, first_index, local_batch, context):
        """Generator input noise for this replica: (latents, next free draw index).

        One draw per generator input, indices ``first_index, first_index + 1, ...``.
        """
        values = [
            self.draw("latent", first_index + offset, shape, local_batch, context)
            for offset, shape in enumerate(self.latent_shapes)
        ]
        return self._as_generator_input(values), first_index + len(values)

    @staticmethod
    def local_batch_size(batch):
        """The static batch size of a tensor, or its dynamic size when unknown."""
        size = batch.shape[0]
        return tf.shape(batch)[0] if size is None else size

    @staticmethod
    def global_batch(local_batch, context):
        """float32 global batch: divide per-replica loss sums by it (summed gradients = one device's)."""
        return tf.cast(local_batch * context.num_replicas_in_sync, tf.float32)

    def tracker_results(self):
        """{name: current mean} of every tracker: what ``train_step`` returns.

        Under ``MultiWorkerMirroredStrategy`` each value is a (1,) tensor: Keras 3
        averages a multi-worker ``fit``'s per-replica logs with
        ``strategy.reduce("MEAN", value, axis=0)``, which fails on a scalar.
        """
        results = {tracker.name: tracker.result() for tracker in self._trackers}
        if isinstance(tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy):
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results
