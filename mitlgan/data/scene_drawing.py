"""Drawing of the synthetic scenes' sprite-like creatures, and the shared drawing helpers.

Every function draws a whole chunk of ``b`` images at once, channels-first
(B, 3, S, S), from the numpy generator it is given; :mod:`mitlgan.data.synthetic`
splits a request into seeded chunks and owns the public API. The landscapes are in
:mod:`mitlgan.data.scene_backgrounds`.
"""

from __future__ import annotations

import numpy as np

#: The drawn factors returned with the sprites: name -> number of classes.
# eyes: 0 one, 1 two; size: tercile of the body radius (small, medium, large)
SPRITE_FACTORS = {"colour": 6, "ears": 2, "feet": 2, "tail": 2, "eyes": 2, "size": 3}

# ---------------------------------------------------------------------------------------
# Small vectorised drawing helpers. Coordinates are in [-1, 1] with y pointing down;
# ``px`` is the width of one pixel in those units.


def _grid(size: int) -> tuple[np.ndarray, np.ndarray, float]:
    c = ((np.arange(size, dtype=np.float32) + 0.5) / size * 2.0 - 1.0).astype(np.float32)
    return c[None, :, None], c[None, None, :], 2.0 / size  # y (1,S,1), x (1,1,S)


def _col(v) -> np.ndarray:
    """Per-image scalars (B,) -> (B, 1, 1) for broadcasting over pixels."""
    return np.asarray(v, dtype=np.float32)[:, None, None]


def _coverage(d: np.ndarray, px: float) -> np.ndarray:
    """Anti-aliased coverage in [0, 1] of the region where the signed distance d < 0."""
    out = np.multiply(d, np.float32(-1.0 / px), dtype=np.float32)  # one temporary only
    out += np.float32(0.5)
    return np.clip(out, 0.0, 1.0, out=out)


def _ellipse_sdf(y, x, cy, cx, ry, rx, angle=None):
    """Approximate signed distance to an ellipse (negative inside), per image."""
    dy, dx = y - _col(cy), x - _col(cx)
    if angle is not None:
        c, s = _col(np.cos(angle)), _col(np.sin(angle))
        dx, dy = c * dx + s * dy, -s * dx + c * dy
    ry, rx = _col(ry), _col(rx)
    # Scaling by the smaller radius makes the gradient about 1 near the edge, which is
    # all the anti-aliasing needs.
    return (np.sqrt((dx / rx) ** 2 + (dy / ry) ** 2) - 1.0) * np.minimum(rx, ry)


def _lerp(a, b, t):
    out = np.multiply(np.subtract(b, a), t)
    out += a  # in place: one temporary fewer (see _over)
    return out


def _over(base: np.ndarray, colour: np.ndarray, alpha) -> np.ndarray:
    """Paint ``colour`` (B,3) or (B,3,S,S) over ``base`` (B,3,S,S), in place, with
    coverage (B,S,S); returns ``base``.

    In place because fresh multi-megabyte temporaries cost page faults that, measured,
    doubled the generation time.
    """
    if colour.ndim == 2:
        colour = colour[:, :, None, None]
    diff = np.subtract(colour, base, dtype=np.float32)
    diff *= np.asarray(alpha, np.float32)[:, None]
    base += diff
    return base


def _hsv_to_rgb(h, s, v) -> np.ndarray:
    """Vectorised HSV -> RGB for arrays of equal shape; returns shape + (3,)."""
    h = np.mod(h, 1.0) * 6.0
    i = np.floor(h).astype(np.int64) % 6
    f = h - np.floor(h)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-1).astype(np.float32)


def _smooth(t):
    return t * t * (3.0 - 2.0 * t)


def _fbm_1d(rng, b: int, x: np.ndarray, base_cells: np.ndarray, octaves: int, gain):
    """Fractal value noise along x, shape (B, S), roughly in [0, 1]."""
    pos = (x.reshape(-1) + 1.0) * 0.5  # [0, 1]
    total = np.zeros((b, pos.size), np.float32)
    amp = np.ones(b, np.float32)
    norm = np.zeros(b, np.float32)
    gain = np.asarray(gain, np.float32)
    cells = np.asarray(base_cells, np.float32)
    for _ in range(octaves):
        n_max = int(np.ceil(cells.max())) + 2
        vals = rng.random((b, n_max), dtype=np.float32)
        p = pos[None, :] * cells[:, None]
        i0 = np.floor(p).astype(np.int64)
        f = _smooth(p - np.floor(p))
        rows = np.arange(b)[:, None]
        v = _lerp(vals[rows, i0], vals[rows, i0 + 1], f)
        total += amp[:, None] * v
        norm += amp
        amp = amp * gain
        cells = cells * 2.0
    return total / norm[:, None]


def _lattice(size: int, cells: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower lattice index and smoothstep weight of each pixel for ``cells`` cells."""
    p = (np.arange(size, dtype=np.float32) + 0.5) / size * np.float32(cells)
    i0 = np.floor(p).astype(np.int64)
    return i0, _smooth(p - i0.astype(np.float32))


def _fbm_2d(rng, b: int, size: int, base_cells: int, octaves: int, gain=0.5, stretch=1.0):
    """Fractal value noise over the image, shape (B, S, S), roughly in [0, 1].

    ``stretch`` < 1 gives fewer cells across than down: wide, flat features (clouds).
    Interpolation is separable: across on the small (B, cells, S) lattice rows first,
    then down by repeating whole rows, which is a memory copy; per-pixel gathers or
    matrix products (OpenBLAS threads competing with the chunk threads) were slower.
    """
    total = np.zeros((b, size, size), np.float32)
    amp, norm, cells = 1.0, 0.0, float(base_cells)
    for _ in range(octaves):
        iy, fy = _lattice(size, cells)
        ix, fx = _lattice(size, cells * stretch)
        vals = rng.random((b, int(iy[-1]) + 2, int(ix[-1]) + 2), dtype=np.float32)
        rows = _lerp(vals[:, :, ix], vals[:, :, ix + 1], fx)  # (B, Gy, S)
        counts = np.bincount(iy, minlength=rows.shape[1] - 1)
        top = np.repeat(rows[:, :-1], counts, axis=1)  # row iy of each pixel row
        bottom = np.repeat(rows[:, 1:], counts, axis=1)  # row iy + 1
        total += np.float32(amp) * _lerp(top, bottom, fy[None, :, None])
        norm += amp
        amp *= gain
        cells *= 2.0
    return total / np.float32(norm)


# ---------------------------------------------------------------------------------------
# Sprites


def draw_sprites(rng: np.random.Generator, b: int, size: int):
    """Draw ``b`` creatures of side ``size`` from ``rng``.

    Returns:
        ``(sprite, mask, factors)``: float32 (b, size, size, 3) straight colour in
        [-1, 1] (-1 where the mask is 0), (b, size, size, 1) alpha in [0, 1], and int64
        (b, 6) labels of :data:`SPRITE_FACTORS`.
    """
    y, x, px = _grid(size)
    u = lambda lo, hi: rng.uniform(lo, hi, b).astype(np.float32)  # noqa: E731
    coin = lambda p: rng.random(b) < p  # noqa: E731

    # Body: a star-shaped outline r(theta) with mostly left-right symmetric harmonics,
    # as creature sprites are roughly symmetric; mostly centred, varied size.
    cx = np.clip(rng.normal(0.0, 0.08, b), -0.25, 0.25).astype(np.float32)
    cy = np.clip(rng.normal(0.06, 0.08, b), -0.2, 0.3).astype(np.float32)
    radius = u(0.28, 0.56)
    squash = u(0.8, 1.25)
    ry_body, rx_body = radius * np.sqrt(squash), radius / np.sqrt(squash)
    dy, dx = y - _col(cy), x - _col(cx)
    ux, uy = dx / _col(rx_body), dy / _col(ry_body)
    rho = np.sqrt(ux**2 + uy**2)
    # cos(k theta), sin(k theta) with theta measured from the top, by the Chebyshev
    # recurrence instead of arctan2/cos/sin, which cost ten times more.
    c1 = -uy / np.maximum(rho, 1e-6)
    s1 = ux / np.maximum(rho, 1e-6)
    c_prev, s_prev, c_k, s_k = np.ones_like(rho), np.zeros_like(rho), c1, s1
    wobble = np.zeros_like(rho)
    for k in range(2, 7):
        c_prev, s_prev, c_k, s_k = c_k, s_k, 2 * c1 * c_k - c_prev, 2 * c1 * s_k - s_prev
        amp_sym = rng.normal(0.0, 0.11 / k**0.7, b).astype(np.float32)
        amp_asym = rng.normal(0.0, 0.015, b).astype(np.float32)
        wobble += _col(amp_sym) * c_k + _col(amp_asym) * s_k
    shape = np.clip(1.0 + wobble, 0.55, 1.6)
    d_body = (rho - shape) * _col(np.minimum(rx_body, ry_body))

    # Appendages: a symmetric pair of ears/horns on top, a pair of feet, maybe a tail.
    far = np.float32(1e3)
    ear_angle = u(0.3, 1.1)  # from the top, radians
    ear_len, ear_wid = radius * u(0.3, 0.55), radius * u(0.12, 0.26)
    has_ears = coin(0.75)
    d_ears = np.full_like(d_body, far)
    for side in (-1.0, 1.0):
        a = side * ear_angle
        ex = cx + np.sin(a) * rx_body * 0.95
        ey = cy - np.cos(a) * ry_body * 0.95
        d = _ellipse_sdf(y, x, ey, ex, ear_len, ear_wid, angle=-a)
        d_ears = np.minimum(d_ears, np.where(_col(has_ears), d, far))
    foot_angle = u(0.35, 0.8)  # from the bottom
    foot_r = radius * u(0.16, 0.28)
    has_feet = coin(0.65)
    d_feet = np.full_like(d_body, far)
    for side in (-1.0, 1.0):
        fx = cx + side * np.sin(foot_angle) * rx_body * 0.9
        fy = cy + np.cos(foot_angle) * ry_body * 0.9
        d = _ellipse_sdf(y, x, fy, fx, foot_r * 0.75, foot_r * 1.2)
        d_feet = np.minimum(d_feet, np.where(_col(has_feet), d, far))
    tail_side = np.where(coin(0.5), 1.0, -1.0).astype(np.float32)
    has_tail = coin(0.4)
    tail_angle = tail_side * u(1.3, 2.0)
    tx = cx + np.sin(tail_angle) * rx_body * 1.05
    ty = cy - np.cos(tail_angle) * ry_body * 1.05
    d_tail = _ellipse_sdf(
        y,
        x,
        ty,
        tx,
        radius * u(0.35, 0.6),
        radius * u(0.1, 0.2),
        angle=-tail_angle + tail_side * u(0.2, 0.7),
    )
    d_tail = np.where(_col(has_tail), d_tail, far)
    d_limbs = np.minimum(np.minimum(d_ears, d_feet), d_tail)
    d_all = np.minimum(d_body, d_limbs)
    mask = _coverage(d_all, px)

    # Colours: a base colour, a lighter belly, an accent for limbs and spots.
    hue, sat, val = u(0, 1), u(0.45, 0.9), u(0.65, 0.95)
    base = _hsv_to_rgb(hue, sat, val)
    belly = _hsv_to_rgb(hue + u(-0.05, 0.05), sat * u(0.2, 0.5), np.minimum(val * 1.15, 1.0))
    accent = _hsv_to_rgb(hue + u(0.25, 0.75), u(0.5, 0.95), u(0.55, 0.95))
    limb_colour = np.where(coin(0.5)[:, None], accent, base)

    img = np.broadcast_to(base[:, :, None, None], (b, 3, size, size)).copy()
    img = _over(img, limb_colour, _coverage(d_limbs, px) * _coverage(-d_body, px))
    d_belly = _ellipse_sdf(
        y, x, cy + ry_body * u(0.2, 0.4), cx, ry_body * u(0.4, 0.6), rx_body * u(0.4, 0.65)
    )
    img = _over(img, belly, _coverage(np.maximum(d_belly, d_body), px) * _col(coin(0.7)))
    spots = _fbm_2d(rng, b, size, base_cells=4, octaves=2, gain=0.4)
    spot_alpha = np.clip((spots - 0.68) * 12.0, 0.0, 1.0) * _coverage(d_body, px)
    img = _over(img, accent, spot_alpha * _col(coin(0.3)))

    # Shading: lit from the upper left, darker towards the rim, for a sense of volume.
    light = 1.0 + 0.35 * (-0.5 * dx - 0.8 * dy) / _col(radius)
    rim = np.clip(-d_all / (_col(radius) * 0.35), 0.0, 1.0)
    img = img * (np.clip(light, 0.7, 1.3) * (0.72 + 0.28 * np.sqrt(rim)))[:, None]

    # Dark outline along the silhouette, a band `width` pixels wide just inside it.
    width = u(1.0, 2.2) * px
    outline = _coverage(-(d_all + _col(width)), px)  # 1 inside the band, 0 deeper inside
    img = _over(img, base * 0.22, outline * (d_all < px))

    # Eyes: two (sometimes one) white ellipses with outlined dark pupils and a highlight.
    eye_y = cy - ry_body * u(0.1, 0.4)
    eye_sep = rx_body * u(0.22, 0.42)
    eye_rx = radius * u(0.09, 0.17)
    eye_ry = eye_rx * u(1.0, 1.5)
    one_eye = coin(0.12)
    look_x, look_y = u(-0.35, 0.35), u(-0.2, 0.3)
    # Eyes are grey, so they are drawn on one grey plane and painted over the colour
    # image once (a third of the cost of painting each layer on three channels).
    eye_premul = np.zeros((b, size, size), np.float32)  # grey x alpha ("over" algebra)
    eye_alpha = np.zeros((b, size, size), np.float32)
    for side in (-1.0, 1.0):
        ex = np.where(one_eye, cx, cx + side * eye_sep)
        present = _col(~one_eye | (side > 0))
        d_eye = _ellipse_sdf(y, x, eye_y, ex, eye_ry, eye_rx)
        pupil_x, pupil_y = ex + look_x * eye_rx, eye_y + look_y * eye_ry
        d_pupil = _ellipse_sdf(y, x, pupil_y, pupil_x, eye_ry * 0.6, eye_rx * 0.55)
        d_glint = _ellipse_sdf(
            y,
            x,
            pupil_y - eye_ry * 0.2,
            pupil_x - eye_rx * 0.15,
            eye_ry * 0.18 + px * 0.5,
            eye_rx * 0.18 + px * 0.5,
        )
        grey = _lerp(np.float32(0.08), np.float32(0.97), _coverage(d_eye, px))  # rim, white
        grey = _lerp(grey, np.float32(0.05), _coverage(d_pupil, px))
        grey = _lerp(grey, np.float32(1.0), _coverage(d_glint, px))
        alpha = _coverage(d_eye - px, px) * present
        eye_premul = grey * alpha + eye_premul * (1.0 - alpha)
        eye_alpha = alpha + eye_alpha * (1.0 - alpha)
    img = img * (1.0 - eye_alpha)[:, None] + eye_premul[:, None]

    sprite = np.clip(img, 0.0, 1.0) * 2.0 - 1.0
    # Outside the silhouette the sprite colour is undefined; make it black so that the
    # straight-colour sprite is a clean image on its own.
    sprite = np.where(mask[:, None] > 0, sprite, -1.0)
    sprite = np.ascontiguousarray(sprite.transpose(0, 2, 3, 1), dtype=np.float32)
    size_tercile = np.minimum((radius - 0.28) / 0.28 * 3, 2).astype(np.int64)  # radius ~ U(0.28, 0.56)
    factors = np.stack([(hue * 6).astype(np.int64) % 6, has_ears, has_feet, has_tail,
                        np.where(one_eye, 0, 1), size_tercile], axis=1).astype(np.int64)
    return sprite, mask[..., None].astype(np.float32), factors
