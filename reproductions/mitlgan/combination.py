"""Does the MITLGAN combine its parts? Latent-swap grids and the part-attribution score.

For each trained MITLGAN head: a grid whose rows share z_fg and whose columns share
z_bg, and, on the synthetic scenes, the part-attribution score
(:func:`mitlgan.metrics.part_attribution`) measured against the scene judge's
segmenter on the generated images. Real datasets have no masks: grid only.
"""

from __future__ import annotations

import numpy as np

from mitlgan.interpolation import latent_swap_images
from reproductions.runner.report import side_by_side

SWAP_GRID_SIDE = 5
ATTRIBUTION_PAIRS = 256


def _latents(generator, count: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((count, *x.shape[1:])).astype("float32") for x in generator.inputs]


def _generate(generator, batch_size: int):
    def generate(z_fg, z_bg):
        return np.asarray(generator.predict([z_fg, z_bg], batch_size=batch_size, verbose=0))

    return generate


def draw_swap_grids(generators: dict, path, seed: int) -> None:
    """One panel per MITLGAN head, ``generators`` = {title: model}; pixels shown in
    [-1, 1] (the thesis head's ReLU output saturates to white above 1, as elsewhere)."""
    panels = [(f"{title}\nrows share z_fg, columns share z_bg",
               latent_swap_images(g, SWAP_GRID_SIDE, seed))
              for title, g in generators.items()]
    side_by_side(panels, path, "Latent swap: does each latent keep to its own part?")


def attribution(generator, judge, seed: int, pairs: int = ATTRIBUTION_PAIRS,
                batch_size: int = 32) -> dict:
    """Part attribution of a two-latent generator with the judge's segmenter as the mask.

    Generated images are clipped to [-1, 1] before segmentation (the thesis head's
    ReLU output lies in [0, inf)).

    Returns:
        :func:`~mitlgan.metrics.part_attribution`'s dict; its ``foreground_fraction``
        near 0 means the segmenter finds no creature to attribute. ``batch_size``
        images per generator call: the training batch keeps the evaluation's memory at
        the training step's (128 at a time took 5-8 GB more for the thesis head).
    """
    from mitlgan.metrics import part_attribution

    z_fg, z_bg = _latents(generator, pairs, seed)
    z_fg_moved, z_bg_moved = _latents(generator, pairs, seed + 1)
    return part_attribution(_generate(generator, batch_size), judge.foreground_probability,
                            z_fg, z_bg, z_fg_moved, z_bg_moved)
