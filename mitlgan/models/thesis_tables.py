"""Thesis Tables 7.1-7.3 as printed, row by row, and a comparison with our built models.

Every number here is copied from the thesis (seed ``004_…``, chapter 7), not computed
from our models; :func:`compare_with_thesis` then sets each printed row next to the
layers of ours that make it. Three reading notes are attached to the rows they concern
(and are argued in ``tests/test_models_thesis_tables.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["THESIS_TABLES", "PrintedRow", "PrintedTable", "compare_with_thesis"]

SEVEN_BY_SEVEN = ("7x7 kernel: the caption puts the 7x7 kernels at the (64, 64, 128) row, "
                  "the printed count puts one here")


@dataclass(frozen=True)
class PrintedRow:
    """One printed row: its layer type, output shape and parameter count, and the names
    of our layers whose parameters make it (a convolution and its normalisation)."""

    layer: str
    shape: tuple
    params: int
    ours: tuple
    note: str = ""


@dataclass(frozen=True)
class PrintedTable:
    """A printed table with the totals its caption gives."""

    caption: str
    rows: tuple
    total: int
    trainable: int


def _conv_rows(shape, counts, suffix):
    return tuple(PrintedRow("Convolutional", shape, params, (name, name + suffix))
                 for name, params in counts)


def _dense_residual_rows():
    """Table 7.3's six blocks: two convolutions (the first one's count grows with the
    concatenated input) and the concatenation that feeds the next block."""
    rows = []
    first_counts = (590_592, 1_180_416, 1_770_240, 2_360_064, 2_949_888, 3_539_712)
    for block, first in enumerate(first_counts, start=1):
        rows += [
            PrintedRow("Convolutional", (32, 32, 256), first,
                       (f"block{block}_a", f"block{block}_a_in"),
                       "no ReLU after it (printed '-')" if block == 1 else ""),
            PrintedRow("Convolutional", (32, 32, 256), 590_592,
                       (f"block{block}_b", f"block{block}_b_in")),
            PrintedRow("Concatenate", (32, 32, 256 * (block + 1)), 0, (f"block{block}_concat",)),
        ]
    return tuple(rows)


THESIS_TABLES = {
    "7.1": PrintedTable(
        "the WGAN's generator", (
            PrintedRow("Input", (1, 1, 1536), 0, ("latent",)),
            PrintedRow("Dense", (1, 1, 1536), 2_365_440, ("dense", "dense_bn")),
            PrintedRow("Reshape", (4, 4, 96), 0, ("reshape",)),
            PrintedRow("Upsampling", (8, 8, 96), 0, ("up1",)),
            *_conv_rows((8, 8, 48), [("conv1", 41_664)], "_bn"),
            PrintedRow("Upsampling", (16, 16, 48), 0, ("up2",)),
            *_conv_rows((16, 16, 24), [("conv2", 10_464)], "_bn"),
            PrintedRow("Upsampling", (32, 32, 24), 0, ("up3",)),
            *_conv_rows((32, 32, 12), [("conv3", 2_640)], "_bn"),
            PrintedRow("Upsampling", (64, 64, 12), 0, ("up4",)),
            *_conv_rows((64, 64, 6), [("conv4", 672)], "_bn"),
            PrintedRow("Upsampling", (128, 128, 6), 0, ("up5",)),
            *_conv_rows((128, 128, 3), [("to_image", 174)], "_bn"),
        ), total=2_421_054, trainable=2_417_796),
    "7.2": PrintedTable(
        "the WGAN's discriminator (critic)", (
            PrintedRow("Input", (128, 128, 3), 0, ("image",)),
            PrintedRow("Convolutional", (64, 64, 48), 3_648, ("conv1",)),
            PrintedRow("Convolutional", (32, 32, 96), 115_296, ("conv2",)),
            PrintedRow("Convolutional", (16, 16, 192), 460_992, ("conv3",), "Dropout 0.3"),
            PrintedRow("Convolutional", (8, 8, 384), 1_843_584, ("conv4",)),
            PrintedRow("Flatten", (24576,), 0, ("flatten",), "Dropout 0.3"),
            PrintedRow("Dense", (1,), 24_577, ("score",)),
        ), total=2_448_097, trainable=2_448_097),
    "7.3": PrintedTable(
        "the MITLGAN's generator (from the first concatenation on)", (
            PrintedRow("Concatenate", (128, 128, 6), 0, ("merge_concat",)),
            PrintedRow("Convolutional", (128, 128, 3), 21, ("merge_conv",)),
            PrintedRow("Convolutional", (128, 128, 64), 9_600, ("stem", "stem_in"), SEVEN_BY_SEVEN),
            PrintedRow("Convolutional", (64, 64, 128), 74_112, ("down1", "down1_in")),
            PrintedRow("Convolutional", (32, 32, 256), 295_168, ("down2",),
                       "printed without its InstanceNorm (512 parameters, down2_in); the "
                       "caption's trainable total includes them"),
            *_dense_residual_rows(),
            PrintedRow("Upsampling", (64, 64, 1792), 0, ("up2",)),
            PrintedRow("Convolutional", (64, 64, 128), 2_064_768, ("up2_conv", "up2_conv_in"),
                       "3x3 kernel, though the caption says 7x7 at this output shape"),
            PrintedRow("Upsampling", (128, 128, 128), 0, ("up1",)),
            PrintedRow("Convolutional", (128, 128, 64), 73_920, ("up1_conv", "up1_conv_in")),
            PrintedRow("Convolutional", (128, 128, 3), 9_417, ("to_image", "to_image_in"),
                       SEVEN_BY_SEVEN),
        ), total=23_304_090, trainable=18_461_982),
}

def _squeeze_leading_ones(shape):
    shape = tuple(int(s) for s in shape)
    while len(shape) > 1 and shape[0] == 1:
        shape = shape[1:]
    return shape


def _count(weights) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def compare_with_thesis(model, table: str):
    """Each printed row of thesis Table ``table`` next to our model's, plus the totals.

    Args:
        model: the built thesis model: ``build_wgan_generator()`` for ``"7.1"``,
            ``build_wgan_critic()`` for ``"7.2"``, ``build_mitlgan_generator(...)`` of two
            thesis generators for ``"7.3"``.
        table: ``"7.1"``, ``"7.2"`` or ``"7.3"``.

    Returns:
        A ``pandas.DataFrame``, one row per printed row and two for the caption's totals
        (all and trainable parameters), with columns ``printed layer``, ``printed shape``,
        ``printed params``, ``our layers``, ``our shape``, ``our params``, ``match``
        (shape and count equal; a printed ``(1, 1, N)`` equals our ``(N,)``) and ``note``.
    """
    import pandas as pd

    if table not in THESIS_TABLES:
        raise ValueError(f"unknown thesis table {table!r}; known: {', '.join(THESIS_TABLES)}")
    printed = THESIS_TABLES[table]
    names = {layer.name for layer in model.layers}
    missing = sorted({n for row in printed.rows for n in row.ours} - names)
    if missing:
        raise ValueError(f"the model {model.name!r} has no layer(s) {missing}: is it the "
                         f"thesis model of Table {table} ({printed.caption})?")
    records = []
    for row in printed.rows:
        layers = [model.get_layer(name) for name in row.ours]
        shape = tuple(layers[0].output.shape[1:])
        params = sum(layer.count_params() for layer in layers)
        match = (params == row.params
                 and _squeeze_leading_ones(shape) == _squeeze_leading_ones(row.shape))
        records.append([row.layer, str(row.shape), row.params, " + ".join(row.ours),
                        str(shape), params, match, row.note])
    for label, expected, ours in (("total", printed.total, model.count_params()),
                                  ("trainable", printed.trainable,
                                   _count(model.trainable_weights))):
        records.append([f"({label}, caption)", "", expected, "whole model", "", ours,
                        ours == expected, ""])
    return pd.DataFrame(records, columns=["printed layer", "printed shape", "printed params",
                                          "our layers", "our shape", "our params", "match",
                                          "note"])
