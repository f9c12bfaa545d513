"""GAN losses as pure functions of tensors: WGAN-GP (Gulrajani et al. 2017, Algorithm 1),
the binary cross-entropy GAN (Goodfellow et al. 2014) and zi2zi's terms. Every
``train_step`` of :mod:`mitlgan.gans` computes its losses with these functions.

All results are float32 whatever the compute dtype of the critic (mixed precision
computes layers in float16/bfloat16; the losses and the penalty are reduced in float32
so that their small differences are not rounded away).

Conventions: scores are critic outputs of shape (B,) or (B, 1), higher meaning "more
real"; images are (B, H, W, C) (any rank >= 2 works: the gradient norm is taken per
sample over every non-batch axis).
"""

import keras
import tensorflow as tf

REDUCTIONS = ("mean", "none")


def _scores(scores, name):
    scores = tf.cast(tf.convert_to_tensor(scores), tf.float32)
    if scores.shape.rank is not None and scores.shape.rank > 2:
        raise ValueError(f"{name} must have shape (B,) or (B, 1); got {scores.shape}.")
    return scores


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction={reduction!r} is not supported; choose one of {REDUCTIONS}.")


def wasserstein_critic_loss(real_scores, fake_scores, *, reduction="mean"):
    """Critic loss ``mean(D(fake)) - mean(D(real))`` (without the gradient penalty).

    Args:
        real_scores: critic scores of real images, (B,) or (B, 1), any float dtype.
        fake_scores: critic scores of generated images, (B',) or (B', 1); with
            ``reduction="none"`` paired with the real ones (B' = B).
        reduction: "mean" (a scalar) or "none": the (B,) values ``D(fake_i) - D(real_i)``,
            whose mean is the scalar (what a train step sums over a global batch).

    Returns:
        float32 scalar or (B,). Minimising it maximises the critic's Wasserstein
        estimate ``mean(D(real)) - mean(D(fake))``, which is its negative.
    """
    _check_reduction(reduction)
    real_scores = _scores(real_scores, "real_scores")
    fake_scores = _scores(fake_scores, "fake_scores")
    if reduction == "none":
        return tf.reshape(fake_scores, [-1]) - tf.reshape(real_scores, [-1])
    return tf.reduce_mean(fake_scores) - tf.reduce_mean(real_scores)


def wasserstein_generator_loss(fake_scores, *, reduction="mean"):
    """Generator loss ``-mean(D(fake))``.

    Args:
        fake_scores: critic scores of generated images, (B,) or (B, 1).
        reduction: "mean" (a scalar) or "none" (the (B,) values ``-D(fake_i)``).

    Returns:
        float32 scalar or (B,).
    """
    _check_reduction(reduction)
    fake_scores = _scores(fake_scores, "fake_scores")
    if reduction == "none":
        return -tf.reshape(fake_scores, [-1])
    return -tf.reduce_mean(fake_scores)


def _safe_norm(squared_norm):
    # sqrt has an infinite derivative at 0; a zero input-gradient (a flat critic, dead
    # ReLUs) would make the penalty's parameter gradient NaN. The double `where` keeps
    # the value exact and gives a zero (sub)gradient there instead.
    positive = squared_norm > 0.0
    safe = tf.where(positive, squared_norm, tf.ones_like(squared_norm))
    return tf.where(positive, tf.sqrt(safe), tf.zeros_like(squared_norm))


def _broadcast_alpha(alpha, real):
    alpha = tf.cast(tf.convert_to_tensor(alpha), tf.float32)
    rank = real.shape.rank
    if alpha.shape.rank == 1 and rank is not None and rank > 1:
        if alpha.shape[0] is not None and real.shape[0] is not None and alpha.shape[0] not in (
            1,
            real.shape[0],
        ):
            raise ValueError(
                f"alpha has shape {alpha.shape}; a 1-D alpha needs one value per sample "
                f"({real.shape[0]})."
            )
        # One coefficient per sample, shared by all of its pixels and channels.
        alpha = tf.reshape(alpha, [-1] + [1] * (rank - 1))
    return alpha


def interpolate(real, fake, alpha):
    """Points on the segments between paired real and fake samples.

    Args:
        real: (B, ...) real samples.
        fake: (B, ...) generated samples, same shape.
        alpha: per-sample coefficients: a scalar, (B,), or anything broadcastable to
            ``real`` (e.g. (B, 1, 1, 1)). Uniform in [0, 1] in WGAN-GP.

    Returns:
        float32 ``alpha * real + (1 - alpha) * fake``, shape of ``real``.
    """
    real = tf.cast(tf.convert_to_tensor(real), tf.float32)
    fake = tf.cast(tf.convert_to_tensor(fake), tf.float32)
    alpha = _broadcast_alpha(alpha, real)
    return alpha * real + (1.0 - alpha) * fake


def gradient_penalty(critic, real, fake, alpha=None, *, seed=None, training=True, reduction="mean"):
    """The WGAN-GP gradient penalty ``(||grad_x D(x_hat)||_2 - 1)^2``.

    ``x_hat = alpha * real + (1 - alpha) * fake``; the norm is taken per sample over all
    pixel and channel axes, in float32.

    Call it inside the ``tf.GradientTape`` of the critic update: the penalty's gradient
    with respect to the critic's weights is a second derivative, which the outer tape
    records through the inner one used here.

    The per-sample gradients are read from the gradient of ``sum(D(x_hat))``, which is
    exact when the critic treats samples independently (no batch normalisation: the
    reason WGAN-GP critics have none).

    Args:
        critic: callable ``critic(images, training=...)`` returning (B,) or (B, 1)
            scores, e.g. a ``keras.Model``.
        real: (B, H, W, C) real images.
        fake: (B, H, W, C) generated images.
        alpha: interpolation coefficients in [0, 1]: (B,), a scalar, or broadcastable
            to ``real``. ``None`` draws one value per sample from U[0, 1] (not a
            normal: that is a known bug of a widely copied example).
        seed: seed for drawing ``alpha`` when it is None: an int (stateless: the same
            draw each call), a ``keras.random.SeedGenerator``, or None (Keras's global
            generator).
        training: passed to the critic (dropout active when True).
        reduction: "mean" for the batch mean (a scalar), "none" for the (B,) values.

    Returns:
        float32 scalar (reduction="mean") or (B,) tensor (reduction="none"), >= 0.
    """
    _check_reduction(reduction)
    real = tf.cast(tf.convert_to_tensor(real), tf.float32)
    if alpha is None:
        alpha = keras.random.uniform(tf.shape(real)[:1], 0.0, 1.0, dtype="float32", seed=seed)
    x_hat = interpolate(real, fake, alpha)
    with tf.GradientTape() as tape:
        tape.watch(x_hat)
        scores = critic(x_hat, training=training)
    gradients = tf.cast(tape.gradient(scores, x_hat), tf.float32)
    axes = list(range(1, x_hat.shape.rank))
    norms = _safe_norm(tf.reduce_sum(tf.square(gradients), axis=axes))
    penalties = tf.square(norms - 1.0)
    return tf.reduce_mean(penalties) if reduction == "mean" else penalties


# ---- binary cross-entropy GAN ------------------------------------------------------------

#: Generator objectives of the BCE GAN: "non_saturating" minimises -log D(G(z)) (the
#: usual practice); "minimax" minimises log(1 - D(G(z))) (the formula the reports write).
GENERATOR_LOSSES = ("non_saturating", "minimax")

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] before the log, as Keras does.
EPSILON = 1e-7


def binary_cross_entropy(scores, target, *, from_logits=False, reduction="mean"):
    """Per-sample ``-[t log p + (1 - t) log(1 - p)]`` for a constant target t in {0, 1}.

    Args:
        scores: discriminator outputs (B,) or (B, 1): probabilities in [0, 1], or logits
            with ``from_logits=True`` (computed stably with softplus).
        target: 1 (real) or 0 (fake).
        from_logits: whether ``scores`` are logits.
        reduction: "mean" (float32 scalar) or "none" (float32 (B,)).
    """
    if target not in (0, 1):
        raise ValueError(f"target={target!r} must be 0 or 1.")
    _check_reduction(reduction)
    scores = tf.reshape(_scores(scores, "scores"), [-1])
    if from_logits:
        # -log sigmoid(l) = softplus(-l); -log(1 - sigmoid(l)) = softplus(l)
        terms = tf.math.softplus(-scores if target == 1 else scores)
    else:
        p = tf.clip_by_value(scores, EPSILON, 1.0 - EPSILON)
        terms = -tf.math.log(p if target == 1 else 1.0 - p)
    return tf.reduce_mean(terms) if reduction == "mean" else terms


def bce_discriminator_loss(real_scores, fake_scores, *, from_logits=False, reduction="mean"):
    """Discriminator loss ``mean(-log D(x)) + mean(-log(1 - D(G(z))))``.

    Args:
        real_scores: D of real images (B,) or (B, 1) (probabilities, or logits).
        fake_scores: D of generated images (B',) or (B', 1); with ``reduction="none"``
            paired with the real ones (B' = B).
        from_logits: whether the scores are logits.
        reduction: "mean" (float32 scalar) or "none" (float32 (B,): each pair's
            ``-log D(x_i) - log(1 - D(G(z_i)))``, whose mean is the scalar).
    """
    return binary_cross_entropy(
        real_scores, 1, from_logits=from_logits, reduction=reduction
    ) + binary_cross_entropy(fake_scores, 0, from_logits=from_logits, reduction=reduction)


def bce_generator_loss(fake_scores, kind="non_saturating", *, from_logits=False, reduction="mean"):
    """Generator loss: ``-log D(G(z))`` ("non_saturating") or ``log(1 - D(G(z)))`` ("minimax").

    Args:
        fake_scores: D of generated images (B,) or (B, 1).
        kind: one of :data:`GENERATOR_LOSSES`.
        from_logits: whether the scores are logits.
        reduction: "mean" (float32 scalar) or "none" (float32 (B,)).
    """
    if kind == "non_saturating":
        return binary_cross_entropy(fake_scores, 1, from_logits=from_logits, reduction=reduction)
    if kind == "minimax":
        return -binary_cross_entropy(fake_scores, 0, from_logits=from_logits, reduction=reduction)
    raise ValueError(f"generator loss {kind!r} is not one of {GENERATOR_LOSSES}.")


# ---- zi2zi (kaonashi-tyc/zi2zi model/unet.py) ----------------------------------------------


def sigmoid_cross_entropy(logits, labels):
    """Mean over all elements of ``max(l, 0) - l * y + log(1 + exp(-|l|))`` (float32).

    Args:
        logits: any shape, any float dtype.
        labels: same shape, values in [0, 1].
    """
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.float32), logits=tf.cast(logits, tf.float32)))


def category_loss(logits, styles, num_styles):
    """zi2zi's category loss: the mean sigmoid cross-entropy of (B, K) logits against
    the one-hot (B,) int styles (K = ``num_styles``; zi2zi's choice, not softmax)."""
    return sigmoid_cross_entropy(logits, tf.one_hot(tf.cast(styles, tf.int32), num_styles))


def l1_loss(fake, target):
    """Mean absolute difference over all pixels of two (B, H, W, C) batches (float32)."""
    return tf.reduce_mean(tf.abs(tf.cast(fake, tf.float32) - tf.cast(target, tf.float32)))


def const_loss(encoded_source, encoded_fake):
    """Mean squared difference of two bottlenecks (any equal shapes): the generated glyph
    should encode like its source (zi2zi's "encoding constant loss"), float32."""
    return tf.reduce_mean(tf.square(tf.cast(encoded_source, tf.float32)
                                    - tf.cast(encoded_fake, tf.float32)))
