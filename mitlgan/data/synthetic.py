"""A synthetic three-part scene set, made on the fly with numpy.

The thesis trains on three separate collections per dataset group: foregrounds on a
plain background, backgrounds only, and combined images (thesis 6.2). None of them can
be shipped, so this module draws a stand-in with the same structure:

- ``foreground``: sprite-like creatures on black (smooth body outline, a few colour
  regions, a dark outline, eyes; varied size and position, mostly centred);
- ``background``: landscape-like scenes (sky gradient, optional sun and clouds,
  layered ridges from fractal noise, ground, optional blur);
- ``combined``: *other* sprites alpha-composited onto *other* backgrounds, drawn
  independently of the first two parts, as the thesis's sets were separate collections.

Everything is vectorised over chunks of images. Each chunk draws from its own
generator seeded by ``(seed, stream, chunk index)``, so the output is deterministic for
a seed and the first ``k`` images do not depend on ``n``.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from mitlgan.data.scene_backgrounds import draw_backgrounds
from mitlgan.data.scene_drawing import draw_sprites

__all__ = ["synthetic_scenes", "make_sprites", "make_backgrounds", "composite"]

# Images per vectorised chunk: large enough to amortise numpy's per-call overhead, small
# enough that the float32 temporaries stay in cache (measured: 16 images per chunk is
# about 2x faster per image than 64). Drawing is channels-first, (B, 3, S, S), because
# numpy broadcasts a (B, 1, S, S) alpha over channels far faster than over a trailing
# axis of 3.
_CHUNK = 16

# Independent random streams, one per kind of drawing.
_FOREGROUND, _BACKGROUND, _COMBINED_SPRITE, _COMBINED_BACKGROUND = 0, 1, 2, 3


def _as_seed_words(seed) -> list[int]:
    words = list(seed) if isinstance(seed, (tuple, list)) else [seed]
    for w in words:
        if not isinstance(w, (int, np.integer)) or isinstance(w, bool) or w < 0:
            raise ValueError(f"seed must be a non-negative int (or tuple of them), got {seed!r}")
    return [int(w) for w in words]


def _render(n: int, image_size: int, seed, draw_chunk) -> list[np.ndarray]:
    """Run ``draw_chunk(rng, _CHUNK, image_size)`` per chunk and keep the first n images."""
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    if not isinstance(image_size, (int, np.integer)) or image_size < 8:
        raise ValueError(f"image_size must be an int >= 8, got {image_size!r}")
    words = _as_seed_words(seed)

    def chunk(k: int) -> list[np.ndarray]:
        rng = np.random.default_rng(words + [k])
        # Always draw a full chunk, then slice: the draws, and so the images, of a chunk
        # do not depend on how many of its images are kept.
        outs = draw_chunk(rng, _CHUNK, int(image_size))
        keep = min(_CHUNK, n - k * _CHUNK)
        return [o[:keep] for o in outs]

    n_chunks = -(-n // _CHUNK)
    # numpy releases the GIL in its array loops, so threads use the other cores; each
    # chunk has its own generator, so the result does not depend on scheduling.
    workers = min(n_chunks, os.cpu_count() or 1, 8)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            pieces = list(pool.map(chunk, range(n_chunks)))
    else:
        pieces = [chunk(k) for k in range(n_chunks)]
    if not pieces:
        empty = draw_chunk(np.random.default_rng(words), 1, int(image_size))
        return [o[:0] for o in empty]
    return [np.concatenate(parts, axis=0) for parts in zip(*pieces)]


# ---------------------------------------------------------------------------------------
# Public API


def make_sprites(n: int, image_size: int = 128, seed=0, *, return_factors: bool = False):
    """Draw ``n`` sprite-like creatures.

    Args:
        n: number of sprites.
        image_size: side S of the square images.
        seed: non-negative int, or tuple of them; the same seed gives the same sprites.

    Returns:
        ``(sprite, mask)``: ``sprite`` float32 (n, S, S, 3) in [-1, 1], the straight
        (not premultiplied) colour, black (-1) where the mask is 0; ``mask`` float32
        (n, S, S, 1) in [0, 1], the anti-aliased coverage (alpha) of the creature.
        With ``return_factors``, also int64 (n, 6) labels of ``SPRITE_FACTORS``
        (hue sixth, ears, feet, tail, two eyes, size tercile).
    """
    sprite, mask, factors = _render(n, image_size, seed, draw_sprites)
    return (sprite, mask, factors) if return_factors else (sprite, mask)


def make_backgrounds(
    n: int,
    image_size: int = 128,
    seed=0,
    *,
    sun_probability: float = 0.5,
    cloud_probability: float = 0.6,
    blur_probability: float = 0.3,
    return_factors: bool = False,
):
    """Draw ``n`` landscape-like backgrounds.

    Sky gradient (day, sunset, dusk or overcast), an optional sun, optional clouds,
    2-4 layers of ridges from fractal noise, ground, and an optional Gaussian blur.

    Args:
        n: number of images.
        image_size: side S of the square images.
        seed: non-negative int, or tuple of them.
        sun_probability, cloud_probability, blur_probability: chance per image of a
            sun, of clouds, and of a Gaussian blur (sigma 0.6-2 px at 128 px).

    Returns:
        float32 (n, S, S, 3) in [-1, 1]; with ``return_factors``, also int64 (n, 5)
        labels of ``BACKGROUND_FACTORS`` (sky, land, ridge layers - 2, sun, clouds).
    """
    for name, p in [
        ("sun_probability", sun_probability),
        ("cloud_probability", cloud_probability),
        ("blur_probability", blur_probability),
    ]:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {p!r}")

    def draw(rng, b, size):
        return draw_backgrounds(
            rng,
            b,
            size,
            sun_probability=sun_probability,
            cloud_probability=cloud_probability,
            blur_probability=blur_probability,
        )

    images, factors = _render(n, image_size, seed, draw)
    return (images, factors) if return_factors else images


def composite(sprite: np.ndarray, mask: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Alpha-composite: ``mask * sprite + (1 - mask) * background``.

    Args:
        sprite: (N, S, S, 3) straight colour in [-1, 1].
        mask: (N, S, S, 1) alpha in [0, 1].
        background: (N, S, S, 3) in [-1, 1]; a scalar such as -1.0 (black) also works.

    Returns:
        float32 (N, S, S, 3) in [-1, 1].
    """
    mask = np.asarray(mask, np.float32)
    return (mask * sprite + (1.0 - mask) * background).astype(np.float32)


def synthetic_scenes(
    n: int,
    image_size: int = 128,
    seed: int = 0,
    *,
    sun_probability: float = 0.5,
    cloud_probability: float = 0.6,
    blur_probability: float = 0.3,
    return_layers: bool = False,
    return_factors: bool = False,
) -> dict[str, np.ndarray]:
    """The embedded three-part scene set: ``n`` images of each part.

    The parts are drawn independently, as the thesis's three sets were separate
    collections: the combined images use other sprites and other backgrounds than the
    ``foreground`` and ``background`` parts.

    Args:
        n: images per part.
        image_size: side S of the square images.
        seed: non-negative int; the same seed gives the same arrays, other seeds others.
        sun_probability, cloud_probability, blur_probability: see ``make_backgrounds``
            (they apply to both the background part and the combined part's scenes).
        return_layers: also return what the combined images were made from.
        return_factors: also return the factors each image was drawn from.

    Returns:
        dict of float32 arrays:

        - ``foreground`` (n, S, S, 3) in [-1, 1]: sprites on black, i.e.
          ``mask * sprite + (1 - mask) * (-1)``; exactly -1 where ``mask`` is 0;
        - ``background`` (n, S, S, 3) in [-1, 1];
        - ``combined`` (n, S, S, 3) in [-1, 1]:
          ``combined_mask * combined_sprite + (1 - combined_mask) * combined_background``;
        - ``mask`` (n, S, S, 1) in [0, 1]: alpha of the ``foreground`` sprites;
        - with ``return_factors``: ``foreground_factors``, ``background_factors``,
          ``combined_sprite_factors`` and ``combined_background_factors``, int64 (n, 6) and
          (n, 5) labels of ``SPRITE_FACTORS`` / ``BACKGROUND_FACTORS``
          (:mod:`mitlgan.data.scene_drawing`, :mod:`mitlgan.data.scene_backgrounds`);
        - with ``return_layers``: ``sprite`` (n, S, S, 3), the straight colour of the
          foreground sprites, and ``combined_sprite``, ``combined_mask``,
          ``combined_background`` with the shapes above.
    """
    seed_words = _as_seed_words(seed)
    bg_kwargs = dict(
        sun_probability=sun_probability,
        cloud_probability=cloud_probability,
        blur_probability=blur_probability,
    )
    sprite, mask, fg_factors = make_sprites(n, image_size, seed_words + [_FOREGROUND],
                                            return_factors=True)
    background, bg_factors = make_backgrounds(n, image_size, seed_words + [_BACKGROUND],
                                              return_factors=True, **bg_kwargs)
    c_sprite, c_mask, c_fg_factors = make_sprites(n, image_size, seed_words + [_COMBINED_SPRITE],
                                                  return_factors=True)
    c_background, c_bg_factors = make_backgrounds(
        n, image_size, seed_words + [_COMBINED_BACKGROUND], return_factors=True, **bg_kwargs)
    out = {
        "foreground": composite(sprite, mask, -1.0),
        "background": background,
        "combined": composite(c_sprite, c_mask, c_background),
        "mask": mask,
    }
    if return_factors:
        # int64 (n, 5) each: SPRITE_FACTORS for sprites, BACKGROUND_FACTORS for backgrounds
        out.update(foreground_factors=fg_factors, background_factors=bg_factors,
                   combined_sprite_factors=c_fg_factors,
                   combined_background_factors=c_bg_factors)
    if return_layers:
        out.update(
            sprite=sprite,
            combined_sprite=c_sprite,
            combined_mask=c_mask,
            combined_background=c_background,
        )
    return out
