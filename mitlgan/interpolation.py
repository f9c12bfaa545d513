"""Latent interpolation: the images a generator makes on a path between two latents.

Document 002 draws 9 images, two end points and 7 steps between them, with
``alpha_i = (i - 1) / k``. That never reaches the second end point (alpha_k =
(k-1)/k), so here ``alpha_i = (i - 1) / (k - 1)``: the first image is the first
latent's, the last is the second's.

For a generator with two latents (the MITLGAN's z_fg and z_bg),
:func:`latent_swap_images` draws the grid whose rows share z_fg and whose columns
share z_bg: if each latent keeps to its own part, a row keeps its creature and a
column its landscape.

Two paths:

- ``"linear"``: ``(1 - a) z0 + a z1``. Between two Gaussian latents it passes close
  to the origin, where a Gaussian latent almost never lies (its norm shrinks).
- ``"spherical"``: the direction moves along the great circle from ``z0/|z0|`` to
  ``z1/|z1|`` (slerp) while the norm moves linearly from ``|z0|`` to ``|z1|``, so
  every latent on the path has a norm between the end points' norms.
"""

from __future__ import annotations

import numpy as np

__all__ = ["INTERPOLATIONS", "interpolation_weights", "interpolate_latents", "interpolate_images",
           "latent_swap_images"]

INTERPOLATIONS = ("linear", "spherical")


def interpolation_weights(count: int = 9) -> np.ndarray:
    """``count`` weights ``(i - 1) / (count - 1)``, i = 1..count: from exactly 0 to exactly 1."""
    if count < 2:
        raise ValueError(f"count={count!r}: an interpolation needs at least its 2 end points")
    return np.arange(count, dtype=np.float64) / (count - 1)


def interpolate_latents(z0, z1, count: int = 9, method: str = "linear") -> np.ndarray:
    """Latents on the path from ``z0`` to ``z1``.

    Args:
        z0, z1: (D,) latents.
        count: points on the path, end points included.
        method: ``"linear"`` or ``"spherical"`` (see the module docstring).

    Returns:
        float32 (count, D); row 0 is exactly ``z0`` and the last row exactly ``z1``.
    """
    if method not in INTERPOLATIONS:
        raise ValueError(f"unknown interpolation {method!r}; choose one of {INTERPOLATIONS}")
    z0, z1 = np.asarray(z0, np.float64).ravel(), np.asarray(z1, np.float64).ravel()
    if z0.shape != z1.shape:
        raise ValueError(f"the end points have different shapes {z0.shape} and {z1.shape}")
    alpha = interpolation_weights(count)[:, None]
    if method == "linear":
        path = (1 - alpha) * z0 + alpha * z1
    else:
        n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
        if n0 == 0 or n1 == 0:
            raise ValueError("spherical interpolation needs end points away from the origin")
        u0, u1 = z0 / n0, z1 / n1
        angle = np.arccos(np.clip(u0 @ u1, -1.0, 1.0))
        if angle < 1e-6:  # (nearly) the same direction: the great circle is a point
            direction = (1 - alpha) * u0 + alpha * u1
        else:
            direction = (np.sin((1 - alpha) * angle) * u0 + np.sin(alpha * angle) * u1) / np.sin(angle)
        path = direction * ((1 - alpha) * n0 + alpha * n1)
    path[0], path[-1] = z0, z1  # exact end points, not 1 ulp away
    return path.astype(np.float32)


def interpolate_images(generator, z0, z1, count: int = 9, method: str = "linear") -> np.ndarray:
    """The generator's images along the path (inference mode: BatchNorm uses its averages).

    Returns:
        (count, H, W, C) images in the generator's output range.
    """
    latents = interpolate_latents(z0, z1, count, method)
    return np.asarray(generator(latents, training=False))


def latent_swap_images(generator, side: int = 5, seed: int = 0) -> np.ndarray:
    """The latent-swap grid of a two-latent generator ``generator([z_fg, z_bg])``.

    Args:
        generator: a Keras model with two latent inputs (foreground first).
        side: rows = columns of the grid.
        seed: seed of the ``side`` standard-normal latents of each input.

    Returns:
        (side², H, W, C) images in the generator's output range; image ``r * side + c``
        uses z_fg of row r and z_bg of column c (inference mode).
    """
    if len(generator.inputs) != 2:
        raise ValueError(f"the latent swap needs a generator with two latent inputs "
                         f"(z_fg, z_bg); {generator.name!r} has {len(generator.inputs)}")
    rng = np.random.default_rng(seed)
    z_fg, z_bg = (rng.standard_normal((side, *x.shape[1:])).astype("float32")
                  for x in generator.inputs)
    rows, columns = np.repeat(np.arange(side), side), np.tile(np.arange(side), side)
    return np.asarray(generator.predict([z_fg[rows], z_bg[columns]], batch_size=128, verbose=0))
