"""Does a two-part generator keep its parts apart? Where the image changes when one latent moves.

For a generator G(z_fg, z_bg) (the MITLGAN: a foreground and a background generator
merged by a head), move only the foreground latent and measure how much of the pixel
change falls inside the foreground mask; move only the background latent and measure
how much falls outside it. The part-attribution score is the mean of the two shares:
1.0 when each latent changes only its own part, about 0.5 when either latent changes
every pixel alike.

The mask of a pair is the union of the two images' foreground masks (a moving sprite
changes pixels where it was and where it is now).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["part_attribution", "pixel_change"]


def pixel_change(a, b) -> np.ndarray:
    """float64 (N, H, W) absolute change summed over channels of (N, H, W, C) images."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 4:
        raise ValueError(f"expected two (N, H, W, C) arrays of one shape; got {a.shape}, {b.shape}")
    return np.abs(a - b).sum(axis=-1)


def _share(change: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Per sample, the share of the total change that falls in ``region`` (NaN: no change)."""
    total = change.sum(axis=(1, 2))
    inside = (change * region).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, inside / total, np.nan)


def part_attribution(generate: Callable, masks_of: Callable, z_fg, z_bg, z_fg_moved,
                     z_bg_moved) -> dict:
    """The part-attribution score of ``generate`` on N latent pairs.

    Args:
        generate: (z_fg (N, ...), z_bg (N, ...)) -> images (N, H, W, C).
        masks_of: images (N, H, W, C) -> foreground masks (N, H, W) in [0, 1] (a
            segmenter, or the true masks for hand-built generators).
        z_fg, z_bg: the base latents.
        z_fg_moved, z_bg_moved: other latents; each is swapped in alone.

    Returns:
        {"foreground_share": mean share of the change inside the foreground when only
        z_fg moves, "background_share": mean share outside it when only z_bg moves,
        "score": their mean (1.0 = perfectly separated, ~0.5 = no separation),
        "score_se": the standard error of the score over the pairs, "n": pairs
        with a change, "foreground_fraction": the mean share of base-image pixels whose
        mask exceeds 0.5 (near 0: no foreground to attribute, the score is 0.5 by
        construction)}. Pairs whose image did not change at all are left out.
    """
    base = generate(z_fg, z_bg)
    fg_moved, bg_moved = generate(z_fg_moved, z_bg), generate(z_fg, z_bg_moved)
    base_mask = np.clip(np.asarray(masks_of(base), np.float64), 0.0, 1.0)
    fg_mask = np.maximum(base_mask, np.clip(np.asarray(masks_of(fg_moved), np.float64), 0, 1))
    bg_mask = np.maximum(base_mask, np.clip(np.asarray(masks_of(bg_moved), np.float64), 0, 1))
    foreground = _share(pixel_change(base, fg_moved), fg_mask)
    background = _share(pixel_change(base, bg_moved), 1.0 - bg_mask)
    both = np.isfinite(foreground) & np.isfinite(background)
    if not both.any():
        raise ValueError("no latent move changed the image: the generator ignores its latents")
    fg_share, bg_share = float(np.mean(foreground[both])), float(np.mean(background[both]))
    pair_scores = (foreground[both] + background[both]) / 2.0
    se = float(np.std(pair_scores, ddof=1) / np.sqrt(len(pair_scores))) if len(pair_scores) > 1 else 0.0
    return {"foreground_share": fg_share, "background_share": bg_share,
            "score": (fg_share + bg_share) / 2.0, "score_se": se, "n": int(both.sum()),
            "foreground_fraction": float(np.mean(base_mask > 0.5))}
