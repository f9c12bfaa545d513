"""Drawing of the synthetic scenes' landscapes: sky, sun, clouds, ridges, ground.

Like :mod:`mitlgan.data.scene_drawing`, it draws a whole chunk of ``b`` images from the
numpy generator it is given.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mitlgan.data.scene_drawing import _col, _coverage, _fbm_1d, _fbm_2d, _grid, _lerp, _over

#: The drawn factors returned with the backgrounds: name -> number of classes.
BACKGROUND_FACTORS = {"sky": 4, "land": 5, "ridges": 3, "sun": 2, "clouds": 2}

# (top of sky, horizon) colours in [0, 1]: day, sunset, dusk, overcast.
_SKIES = np.array(
    [
        [[0.22, 0.45, 0.85], [0.72, 0.86, 0.97]],
        [[0.30, 0.25, 0.55], [0.98, 0.62, 0.35]],
        [[0.10, 0.12, 0.30], [0.75, 0.45, 0.60]],
        [[0.50, 0.55, 0.62], [0.82, 0.84, 0.86]],
    ],
    np.float32,
)
_SKY_WEIGHTS = np.array([0.5, 0.2, 0.12, 0.18])
# Land colours, near layer: grass, dry grass, rock, snowy blue-grey, sand.
_LANDS = np.array(
    [
        [0.25, 0.50, 0.20],
        [0.55, 0.55, 0.25],
        [0.42, 0.38, 0.35],
        [0.45, 0.52, 0.60],
        [0.80, 0.70, 0.45],
    ],
    np.float32,
)


def draw_backgrounds(
    rng: np.random.Generator,
    b: int,
    size: int,
    *,
    sun_probability: float,
    cloud_probability: float,
    blur_probability: float,
):
    """Draw ``b`` landscapes of side ``size`` from ``rng``; the probabilities are per image.

    Returns:
        ``(images, factors)``: float32 (b, size, size, 3) in [-1, 1] and int64 (b, 5)
        labels of :data:`BACKGROUND_FACTORS`.
    """
    y, x, px = _grid(size)
    u = lambda lo, hi: rng.uniform(lo, hi, b).astype(np.float32)  # noqa: E731
    coin = lambda p: rng.random(b) < p  # noqa: E731
    jitter = lambda c, s: np.clip(c + rng.normal(0, s, c.shape), 0, 1).astype(np.float32)  # noqa: E731

    sky_index = rng.choice(len(_SKIES), b, p=_SKY_WEIGHTS)
    sky = _SKIES[sky_index]
    top, horizon_colour = jitter(sky[:, 0], 0.05), jitter(sky[:, 1], 0.05)
    horizon = u(-0.15, 0.35)

    # Sky: gradient from the top colour to the horizon colour.
    t = np.clip((y + 1.0) / (_col(horizon) + 1.0), 0.0, 1.0) ** _col(u(0.7, 1.6))
    img = _lerp(top[:, :, None, None], horizon_colour[:, :, None, None], t[:, None])
    img = np.broadcast_to(img, (b, 3, size, size)).copy()

    # Sun: a soft glow plus a disc, behind everything else.
    sun_x, sun_y = u(-0.75, 0.75), horizon - u(0.15, 0.9)
    sun_r = u(0.05, 0.13)
    has_sun = _col(coin(sun_probability))
    sun_colour = _lerp(np.array([1.0, 0.97, 0.8], np.float32), horizon_colour, 0.3)
    d_sun = np.sqrt((x - _col(sun_x)) ** 2 + (y - _col(sun_y)) ** 2)
    glow = np.exp(-((d_sun / (3.0 * _col(sun_r))) ** 2)) * 0.45
    img = _over(img, sun_colour, glow * has_sun)
    img = _over(img, sun_colour, _coverage(d_sun - _col(sun_r), px) * has_sun)

    # Clouds: thresholded, horizontally stretched fractal noise above the horizon.
    noise = _fbm_2d(rng, b, size, base_cells=6, octaves=4, gain=0.55, stretch=0.4)
    cover = _col(u(0.5, 0.66))
    cloud = np.clip((noise - cover) / 0.12, 0.0, 1.0)
    has_cloud = coin(cloud_probability)
    cloud *= np.clip((_col(horizon) - y) / 0.25, 0.0, 1.0) * _col(has_cloud)
    shade = 0.85 + 0.15 * np.clip((noise - cover) / 0.2, 0.0, 1.0)
    cloud_colour = _lerp(np.ones((b, 3), np.float32), horizon_colour, 0.25)
    img = _over(img, cloud_colour[:, :, None, None] * shade[:, None], cloud * 0.9)

    # Ridges: 2-4 layers of fractal ridgelines, far ones hazier (towards the horizon
    # colour), taller and rougher; near ones darker and smoother.
    n_layers = rng.integers(2, 5, b)
    land_index = rng.choice(len(_LANDS), b)
    land = jitter(_LANDS[land_index], 0.05)
    for i in range(4):
        depth = i / 3.0  # 0 = farthest
        present = _col(n_layers > i) if i >= 2 else 1.0
        base_line = horizon + u(-0.02, 0.08) + depth * u(0.05, 0.2)
        height = u(0.15, 0.5) * (1.0 - 0.6 * depth)
        ridge = _fbm_1d(rng, b, x, u(2.0, 4.0), octaves=5, gain=u(0.4, 0.6) - 0.1 * depth)
        line = _col(base_line) - _col(height) * ridge[:, None, :]
        alpha = np.clip((y - line) / px + 0.5, 0.0, 1.0) * present
        haze = (1.0 - depth) * u(0.45, 0.75)
        colour = _lerp(land * u(0.55, 0.85)[:, None], horizon_colour, haze[:, None])
        # A little darker away from the ridgeline, for depth within the layer.
        fall = 1.0 - 0.15 * np.clip((y - line) / 0.4, 0.0, 1.0)
        img = _over(img, colour[:, :, None, None] * fall[:, None], alpha)
        # Snow caps above a snow line on the far layers of some scenes.
        snow_line = _col(base_line - height * u(0.55, 0.75))
        snow = alpha * np.clip((snow_line - y) / (2 * px), 0.0, 1.0)
        snow *= _col(coin(0.35)) * (depth < 0.5)
        img = _over(img, np.full((b, 3), 0.95, np.float32), snow)

    # Ground: a nearly flat, textured band at the bottom.
    ground_y = np.maximum(horizon + u(0.2, 0.5), u(0.35, 0.75))
    ground_line = (
        _col(ground_y) - _col(u(0.02, 0.08)) * _fbm_1d(rng, b, x, u(1.0, 2.0), 3, 0.5)[:, None, :]
    )
    ground_alpha = np.clip((y - ground_line) / px + 0.5, 0.0, 1.0)
    texture = _fbm_2d(rng, b, size, base_cells=8, octaves=3, gain=0.5)
    ground = land[:, :, None, None] * (0.8 + 0.35 * texture)[:, None]
    img = _over(img, ground, ground_alpha)

    img = np.clip(img, 0.0, 1.0)
    # Optional blur, as the thesis blurred real-photo backgrounds.
    blur = coin(blur_probability)
    sigmas = u(0.6, 2.0) * (size / 128.0)
    for i in np.flatnonzero(blur):
        img[i] = ndimage.gaussian_filter(img[i], sigma=(0, sigmas[i], sigmas[i]), mode="nearest")
    img = img * 2.0 - 1.0
    factors = np.stack([sky_index, land_index, n_layers - 2, has_sun[:, 0, 0], has_cloud],
                       axis=1).astype(np.int64)
    return np.ascontiguousarray(img.transpose(0, 2, 3, 1), dtype=np.float32), factors
