"""WGAN-GP as a ``keras.Model`` with a custom ``train_step`` (Gulrajani et al. 2017).

``WGANGP`` trains any generator (one or several latent inputs, e.g. the MITLGAN
generator) against any per-sample critic with ``fit``. See its docstring for the two
real-batch regimes, what an epoch means in each, randomness, distribution, XLA and
mixed precision.
"""

from mitlgan._backend import ensure_tensorflow_backend

ensure_tensorflow_backend()

import contextlib  # noqa: E402
import random  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from mitlgan.losses import gradient_penalty  # noqa: E402

#: "reused": one real batch per train_step, seen by all n_critic critic updates (the
#: widely copied Keras example; the thesis's "train the discriminator 5 times ... then
#: the generator once" per step). "fresh": a new real batch for every critic update
#: (Gulrajani et al., Algorithm 1).
REAL_BATCHES = ("reused", "fresh")

#: Names of the metrics ``train_step`` returns (and the progress bar shows).
METRIC_NAMES = ("critic_loss", "generator_loss", "gradient_penalty", "wasserstein_estimate")

# Named explicitly: the default ("auto_select") lets the device choose the algorithm.
_RNG_ALGORITHM = "philox"


def _random_bits(shape, key):
    return tf.random.stateless_uniform(
        shape, seed=key, minval=None, maxval=None, dtype=tf.uint32, alg=_RNG_ALGORITHM
    )


def _uniform_from_bits(bits):
    # 23 random mantissa bits under the exponent of 1.0 give a float in [1, 2); minus 1 is
    # exact. TF's own float conversion is not used because XLA implements it differently:
    # from the same (identical) Philox bits, XLA and graph mode drew different floats.
    mantissa = tf.bitwise.bitwise_or(tf.bitwise.right_shift(bits, 9), tf.constant(0x3F800000, tf.uint32))
    return tf.bitcast(mantissa, tf.float32) - 1.0


def stateless_uniform(shape, key):
    """U[0, 1) float32 from a stateless seed ``key`` (2,), the same with or without XLA."""
    return _uniform_from_bits(_random_bits(shape, key))


def stateless_normal(shape, key):
    """N(0, 1) float32 from a stateless seed ``key`` (2,) by Box-Muller.

    Bit-identical Philox draws in graph mode and under XLA; the float maths (log, cos)
    may differ in the last bit between the two. From 23-bit uniforms the tails stop at
    about 5.6 sigma (a normal exceeds that with probability 2e-8).
    """
    bits = _random_bits([2] + list(shape), key)
    u1 = 1.0 - _uniform_from_bits(bits[0])  # (0, 1]: log is finite
    u2 = _uniform_from_bits(bits[1])
    return tf.sqrt(-2.0 * tf.math.log(u1)) * tf.cos((2.0 * np.pi) * u2)


def default_optimizer():
    """Adam(1e-4, beta_1=0, beta_2=0.9): Algorithm 1 of Gulrajani et al. (2017)."""
    return keras.optimizers.Adam(learning_rate=1e-4, beta_1=0.0, beta_2=0.9)


@contextlib.contextmanager
def dtype_policy(name):
    """Build models under a Keras dtype policy, restoring the previous one afterwards.

    Mixed precision is opt-in: build the generator and critic inside this context (the
    policy is fixed per layer when it is created), then wrap them in ``WGANGP``::

        with dtype_policy("mixed_bfloat16"):
            generator, critic = build_wgan_generator(...), build_wgan_critic(...)

    Args:
        name: a Keras policy name: "float32", "mixed_bfloat16", "mixed_float16", ...
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _all_layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _all_layers(layer)


def _compute_dtypes(model):
    return {model.compute_dtype} | {layer.compute_dtype for layer in _all_layers(model)}


def _num_replicas_in_strategy():
    return tf.distribute.get_strategy().num_replicas_in_sync


def _accelerator_present():
    return any(d.device_type in ("GPU", "TPU") for d in tf.config.list_logical_devices())


class WGANGP(keras.Model):
    """A WGAN-GP: n_critic critic updates, then one generator update, per ``train_step``.

    Critic loss per sample: ``D(G(z)) - D(x) + gp_weight * (||grad D(x_hat)||_2 - 1)^2``
    with ``x_hat = alpha * x + (1 - alpha) * G(z)``, alpha ~ U[0, 1] per sample.
    Generator loss: ``-D(G(z))``. z ~ N(0, I) is drawn for every input of the
    generator, so a MITLGAN generator with two latent inputs trains with no extra code.
    Layers that are not trainable (the frozen parts of a MITLGAN generator) are not
    updated: only ``generator.trainable_variables`` get gradients, and frozen parts run
    in inference mode.

    **Real batches and epochs.** ``real_batches`` chooses the regime:

    - ``"reused"`` (default): each train_step takes one real batch (B, H, W, C) and all
      n_critic critic updates use it, as in the widely copied Keras example and, by its
      description ("in one epoch we train the discriminator 5 times ... then the
      generator once", batch 32), the thesis. One epoch over N images is N // B
      train_steps: N // B generator updates and n_critic * N // B critic updates; the
      critic sees every image n_critic times. The thesis's epoch counts mean this.
    - ``"fresh"``: each critic update gets its own real batch (Algorithm 1). A
      train_step consumes n_critic * B images, given as (B, n_critic, H, W, C) (what
      :meth:`prepare_dataset` yields; update k uses ``[:, k]``) or as (n_critic * B, H,
      W, C) (split into n_critic consecutive chunks). One epoch over N images is
      N // (n_critic * B) train_steps: every image is seen once by the critic, and there
      are n_critic times fewer generator updates per epoch than in "reused".

    :meth:`prepare_dataset` batches a numpy array for either regime and
    :meth:`steps_per_epoch` says how many train_steps an epoch has.

    **Randomness.** Latents and alpha come from stateless random ops seeded by the
    model's ``seed`` and a train-step counter, both variables saved in checkpoints, so a
    run is reproducible and a resumed run draws exactly what an uninterrupted one would.
    Draws are made for the global batch and sliced per replica, so the noise does not
    depend on the number of replicas. (Dropout in the critic uses its layers' own seed
    generators, whose states are variables of the critic and are checkpointed too.)

    **Distribution.** Build the models and the ``WGANGP`` and call ``compile`` inside
    ``strategy.scope()``. Per-replica losses are sums over the local batch divided by
    the global batch, so the all-reduced (summed) gradients equal those of one device;
    batches must split evenly over the replicas (prepare_dataset drops remainders). With
    more than one replica and ``sync_batch_norm=True``, the generator's trainable
    BatchNormalization layers are switched to ``synchronized=True``, so they normalise
    with global-batch statistics like one device would. Per-replica dropout masks differ
    from a single device's, so only a dropout-free critic reproduces a one-device step
    exactly. Nothing here is specific to ``MirroredStrategy`` (no control flow around
    the all-reduces, static shapes), so ``MultiWorkerMirroredStrategy`` and
    ``TPUStrategy`` are not precluded, but only MirroredStrategy is tested.

    **XLA.** ``compile(jit_compile="auto")`` uses XLA only when a GPU or TPU is visible
    and a single replica trains (the rule Keras's own "auto" follows). On the 2-core
    development CPU an XLA-compiled WGAN-GP step ran about 3x slower than graph mode
    with oneDNN's convolutions, so CPUs default to graph mode; on accelerators XLA's
    fusion usually helps. ``True``/``False`` force it.

    **Mixed precision** is opt-in: build the models under ``"mixed_bfloat16"`` or
    ``"mixed_float16"`` (see :func:`dtype_policy`). Scores, losses and the gradient
    penalty (norm included) are computed in float32; with float16 layers ``compile``
    wraps both optimizers in ``keras.optimizers.LossScaleOptimizer`` (dynamic loss
    scaling). bfloat16 has float32's exponent range and needs no scaling. Whether it is
    faster depends on the hardware: on a CPU with AVX-512 BF16 a 64x64 step ran about
    1.4x faster than float32 (design notes), but without native bfloat16 it is slower:
    on a 2-core CPU with AVX-512F and no AVX-512 BF16 the thesis WGAN step at 64x64 ran
    at 0.57x the float32 speed (a 2048^3 bfloat16 matmul at a quarter of float32's
    FLOP/s), and on an AVX2-only CPU oneDNN's bfloat16 convolution gradients ran ~10x
    slower than float32. Measure before choosing (``benchmarks/train_step.py``).

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
        sync_batch_norm: see Distribution above.
        name: model name.

    Metrics (per epoch means, shown in the progress bar): ``critic_loss`` (with the
    penalty), ``generator_loss``, ``gradient_penalty`` (without lambda) and
    ``wasserstein_estimate`` = mean(D(real)) - mean(D(fake)); the critic metrics average
    over all n_critic critic updates.
    """

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
        super().__init__(name=name, **kwargs)
        if not isinstance(generator, keras.Model):
            raise ValueError(
                f"generator must be a keras.Model with latent inputs, got {type(generator).__name__}."
            )
        if not isinstance(critic, keras.layers.Layer):
            raise ValueError(f"critic must be a keras.Model or layer, got {type(critic).__name__}.")
        if isinstance(n_critic, bool) or not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"n_critic={n_critic!r} must be a positive integer.")
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight={gp_weight!r} must be >= 0.")
        if real_batches not in REAL_BATCHES:
            raise ValueError(f"real_batches={real_batches!r} is not one of {REAL_BATCHES}.")
        latent_shapes = [tuple(x.shape[1:]) for x in generator.inputs]
        if any(d is None for shape in latent_shapes for d in shape):
            raise ValueError(
                f"The generator's latent inputs must have fixed shapes; got {latent_shapes}."
            )
        image_shape = tuple(generator.outputs[0].shape[1:])
        critic_inputs = getattr(critic, "inputs", None)
        if critic_inputs:
            critic_shape = tuple(critic_inputs[0].shape[1:])
            if critic_shape != image_shape:
                raise ValueError(
                    f"The generator makes images of shape {image_shape} but the critic takes "
                    f"{critic_shape}."
                )
        if seed is None:
            seed = random.randint(0, 2**31 - 1)

        self.generator = generator
        self.critic = critic
        self.n_critic = n_critic
        self.gp_weight = float(gp_weight)
        self.real_batches = real_batches
        self.latent_shapes = latent_shapes
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
        self._trackers = [keras.metrics.Mean(name=n) for n in METRIC_NAMES]
        if sync_batch_norm and _num_replicas_in_strategy() > 1:
            for layer in _all_layers(generator):
                if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable:
                    layer.synchronized = True
        # Everything is created above; Keras must not try to build by calling the model.
        self.built = True

    # ---- configuration -------------------------------------------------------------------

    @property
    def metrics(self):
        """The four trackers of :data:`METRIC_NAMES` (reset at every epoch by ``fit``)."""
        return list(self._trackers)

    @property
    def seed(self):
        """The integer seed of latents and alphas (restored with checkpoints)."""
        return int(self.seed_variable.numpy())

    @property
    def train_steps(self):
        """Number of completed train_steps (n_critic + 1 updates each), across resumes."""
        return int(self.step_counter.numpy())

    def _resolve_jit_compile(self, jit_compile):
        if jit_compile == "auto":
            return _accelerator_present() and _num_replicas_in_strategy() == 1
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
                :func:`default_optimizer`.
            d_optimizer: critic optimizer; default :func:`default_optimizer`.
            jit_compile: "auto", True or False; see "XLA" in the class docstring.
            steps_per_execution: train_steps per compiled call (Keras's meaning).
            run_eagerly: debug mode, no graph compilation.

        With float16 layers, optimizers that are not yet ``LossScaleOptimizer`` are
        wrapped in one. Both optimizers are built (slots created) here, so a checkpoint
        can be restored before the first step.
        """
        g_optimizer = keras.optimizers.get(g_optimizer) or default_optimizer()
        d_optimizer = keras.optimizers.get(d_optimizer) or default_optimizer()
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different optimizer objects.")
        if "float16" in _compute_dtypes(self.generator) | _compute_dtypes(self.critic):
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
            self.d_optimizer.build(self.critic.trainable_variables)

    def checkpoint_variables(self):
        """Every variable a checkpoint must hold, grouped and in a fixed order.

        Returns:
            dict: "generator" and "critic" (all their variables, frozen parts, BN moving
            statistics and dropout seed states included), "wgangp" (seed and step
            counter), "g_optimizer" and "d_optimizer" (iterations, learning rate,
            slots, loss scale).
        """
        self.build_optimizers()
        return {
            "generator": list(self.generator.variables),
            "critic": list(self.critic.variables),
            "wgangp": [self.seed_variable, self.step_counter],
            "g_optimizer": list(self.g_optimizer.variables),
            "d_optimizer": list(self.d_optimizer.variables),
        }

    # ---- sampling --------------------------------------------------------------------------

    def _as_generator_input(self, latents):
        return latents[0] if len(latents) == 1 else list(latents)

    def sample_latents(self, num_samples, seed=0):
        """Fixed N(0, I) latents, e.g. for sample grids, independent of training state.

        Args:
            num_samples: batch size B.
            seed: integer seed; the same seed gives the same latents.

        Returns:
            A (B, latent_dim) float32 tensor for a one-input generator, else a list of
            them (one per input, in the generator's input order).
        """
        latents = [
            stateless_normal((num_samples,) + shape, tf.constant([seed, index], tf.int64))
            for index, shape in enumerate(self.latent_shapes)
        ]
        return self._as_generator_input(latents)

    def call(self, inputs, training=False):
        """Generate images from latents: ``gan(z)`` is ``gan.generator(z)``."""
        return self.generator(inputs, training=training)

    # ---- data --------------------------------------------------------------------------------

    def images_per_step(self, batch_size):
        """Real images one train_step consumes: B ("reused") or n_critic * B ("fresh")."""
        return batch_size * (self.n_critic if self.real_batches == "fresh" else 1)

    def steps_per_epoch(self, num_images, batch_size):
        """train_steps in one epoch over ``num_images`` (remainders are dropped)."""
        return num_images // self.images_per_step(batch_size)

    def prepare_dataset(self, images, batch_size, *, epochs=None, initial_epoch=0, seed=0, shuffle=True):
        """Batch real images for this model's regime.

        Args:
            images: float array (N, H, W, C) in [-1, 1], or a ``tf.data.Dataset`` of
                images (H, W, C) or batches (b, H, W, C), used in its own order.
            batch_size: global batch B (split over replicas under a strategy).
            epochs: with an array, give the total epoch count to get a dataset covering
                epochs ``initial_epoch .. epochs - 1`` whose order in epoch e depends only
                on (seed, e): resuming at any epoch replays exactly what an uninterrupted
                run would. Use it with ``fit(ds, epochs=epochs, initial_epoch=...,
                steps_per_epoch=self.steps_per_epoch(N, B))``. None: a one-epoch dataset
                reshuffled on each iteration (plain ``fit(ds, epochs=E)``; not
                resume-exact). With a Dataset, the data are repeated for the epochs.
            initial_epoch: first epoch of the dataset (with ``epochs``).
            seed: shuffling seed.
            shuffle: shuffle arrays (Datasets are never reshuffled here).

        Returns:
            ``tf.data.Dataset`` of float32 batches (B, H, W, C) ("reused") or
            (B, n_critic, H, W, C) ("fresh"); remainders are dropped.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size={batch_size!r} must be a positive integer.")
        group = self.images_per_step(batch_size)
        fresh = self.real_batches == "fresh"
        if isinstance(images, tf.data.Dataset):
            return self._prepare_tf_dataset(images, batch_size, group, fresh, epochs, initial_epoch)

        images = np.asarray(images, dtype="float32")
        if images.ndim != 4 or tuple(images.shape[1:]) != self.image_shape:
            raise ValueError(
                f"images must have shape (N,) + {self.image_shape} like the generator's output; "
                f"got {images.shape}."
            )
        low, high = float(images.min()), float(images.max())
        if low < -1.0 - 1e-3 or high > 1.0 + 1e-3 or not np.isfinite([low, high]).all():
            raise ValueError(
                f"images must be finite and in [-1, 1] (the generator's tanh range); got values "
                f"in [{low}, {high}]."
            )
        steps = len(images) // group
        if steps == 0:
            raise ValueError(
                f"{len(images)} images cannot fill one train_step of {group} images "
                f"(batch_size={batch_size}, real_batches={self.real_batches!r})."
            )
        table = tf.constant(images)
        index_shape = [steps, batch_size] + ([self.n_critic] if fresh else [])
        count = len(images)

        def epoch_indices(epoch):
            order = tf.range(count, dtype=tf.int64)
            if shuffle:
                key = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
                order = tf.random.experimental.stateless_shuffle(order, seed=key, alg=_RNG_ALGORITHM)
            return tf.data.Dataset.from_tensor_slices(tf.reshape(order[: steps * group], index_shape))

        if epochs is None:
            indices = tf.data.Dataset.range(count)
            if shuffle:
                indices = indices.shuffle(count, seed=seed, reshuffle_each_iteration=True)
            indices = indices.batch(group, drop_remainder=True)
            indices = indices.map(lambda i: tf.reshape(i, index_shape[1:]))
        else:
            if epochs <= initial_epoch:
                raise ValueError(f"epochs={epochs} must be greater than initial_epoch={initial_epoch}.")
            indices = tf.data.Dataset.range(initial_epoch, epochs).flat_map(epoch_indices)
            indices = indices.apply(tf.data.experimental.assert_cardinality((epochs - initial_epoch) * steps))
        dataset = indices.map(lambda i: tf.gather(table, i), num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.prefetch(tf.data.AUTOTUNE)

    def _prepare_tf_dataset(self, dataset, batch_size, group, fresh, epochs, initial_epoch):
        rank = len(dataset.element_spec.shape)
        if rank == 4:
            dataset = dataset.unbatch()
        elif rank != 3:
            raise ValueError(
                f"A Dataset must yield images (H, W, C) or batches (b, H, W, C); got elements of "
                f"shape {dataset.element_spec.shape}."
            )
        dataset = dataset.map(lambda x: tf.cast(x, tf.float32))
        if epochs is not None:
            dataset = dataset.repeat(epochs - initial_epoch)
        dataset = dataset.batch(group, drop_remainder=True)
        if fresh:
            # Consecutive groups of n_critic images form one row (B, n_critic, H, W, C).
            dataset = dataset.map(
                lambda x: tf.reshape(x, tf.concat([[batch_size, self.n_critic], tf.shape(x)[1:]], 0))
            )
        return dataset.prefetch(tf.data.AUTOTUNE)

    # ---- training ------------------------------------------------------------------------------

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

    def _draw(self, kind, draw, tail, local_batch, context):
        # Stateless: the draw is a function of (seed, train step, draw index) only. The
        # global batch is drawn and each replica takes its slice, so the noise is the
        # same whatever the number of replicas.
        key = tf.stack([tf.convert_to_tensor(self.seed_variable), tf.convert_to_tensor(self.step_counter)])
        key = tf.random.experimental.stateless_fold_in(key, draw, alg=_RNG_ALGORITHM)
        replicas = context.num_replicas_in_sync
        shape = [local_batch * replicas] + list(tail)
        if kind == "normal":
            values = stateless_normal(shape, key)
        else:
            values = stateless_uniform(shape, key)
        if replicas == 1:
            return values
        start = tf.cast(context.replica_id_in_sync_group, tf.int32) * local_batch
        return tf.slice(values, [start] + [0] * len(tail), [local_batch] + list(tail))

    def train_step(self, data):
        """n_critic critic updates, then one generator update; returns the metrics."""
        context = tf.distribute.get_replica_context()
        reals = self._real_batches(data)
        local_batch = reals[0].shape[0]
        if local_batch is None:
            local_batch = tf.shape(reals[0])[0]
        global_batch = tf.cast(local_batch * context.num_replicas_in_sync, tf.float32)
        critic_variables = self.critic.trainable_variables
        generator_variables = self.generator.trainable_variables
        critic_loss, generator_loss, penalty, wasserstein = self._trackers
        draw = 0

        def latents():
            nonlocal draw
            values = []
            for shape in self.latent_shapes:
                values.append(self._draw("normal", draw, shape, local_batch, context))
                draw += 1
            return self._as_generator_input(values)

        for real in reals:
            fake = self.generator(latents(), training=True)
            alpha = self._draw("uniform", draw, (), local_batch, context)
            draw += 1
            with tf.GradientTape() as tape:
                # One critic call on real and fake together (same weights and dropout
                # rate; a larger batch uses the convolutions better).
                scores = self.critic(tf.concat([real, tf.cast(fake, real.dtype)], 0), training=True)
                scores = tf.reshape(tf.cast(scores, tf.float32), [-1])
                real_scores, fake_scores = scores[:local_batch], scores[local_batch:]
                penalties = gradient_penalty(self.critic, real, fake, alpha, reduction="none")
                per_sample = fake_scores - real_scores + self.gp_weight * penalties
                loss = tf.reduce_sum(per_sample) / global_batch
                scaled_loss = self.d_optimizer.scale_loss(loss)
            gradients = tape.gradient(scaled_loss, critic_variables)
            self.d_optimizer.apply_gradients(zip(gradients, critic_variables))
            critic_loss.update_state(tf.reduce_mean(per_sample))
            penalty.update_state(tf.reduce_mean(penalties))
            wasserstein.update_state(tf.reduce_mean(real_scores) - tf.reduce_mean(fake_scores))

        z = latents()
        with tf.GradientTape() as tape:
            fake_scores = self.critic(self.generator(z, training=True), training=True)
            fake_scores = tf.reshape(tf.cast(fake_scores, tf.float32), [-1])
            loss = -tf.reduce_sum(fake_scores) / global_batch
            scaled_loss = self.g_optimizer.scale_loss(loss)
        gradients = tape.gradient(scaled_loss, generator_variables)
        self.g_optimizer.apply_gradients(zip(gradients, generator_variables))
        generator_loss.update_state(-tf.reduce_mean(fake_scores))
        self.step_counter.assign_add(1)
        return {tracker.name: tracker.result() for tracker in self._trackers}
