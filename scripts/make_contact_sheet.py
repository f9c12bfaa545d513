"""Make the contact sheet of the synthetic scene set: docs/synthetic_scenes.png.

Rows: foreground (sprites on black), background, combined (other sprites on other
backgrounds), mask of the foreground row. Usage::

    python scripts/make_contact_sheet.py [--n 8] [--size 128] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from mitlgan.data import synthetic_scenes, to_uint8  # noqa: E402

ROWS = ("foreground", "background", "combined", "mask")
LABEL_WIDTH = 84
GAP = 2


def contact_sheet(n: int = 8, size: int = 128, seed: int = 0) -> Image.Image:
    """The sheet as an RGB image: a labelled row of ``n`` tiles per part."""
    scenes = synthetic_scenes(n, image_size=size, seed=seed)
    width = LABEL_WIDTH + n * (size + GAP)
    height = len(ROWS) * (size + GAP)
    sheet = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for r, part in enumerate(ROWS):
        images = scenes[part]
        if part == "mask":
            images = np.repeat(images * 2.0 - 1.0, 3, axis=-1)  # [0, 1] -> grey in [-1, 1]
        y = r * (size + GAP)
        draw.text((6, y + size // 2 - 6), part, fill=(0, 0, 0))
        for i, tile in enumerate(to_uint8(images)):
            sheet.paste(Image.fromarray(tile), (LABEL_WIDTH + i * (size + GAP), y))
    return sheet


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=8, help="images per row")
    parser.add_argument("--size", type=int, default=128, help="tile side in pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(REPO / "docs" / "synthetic_scenes.png"))
    parser.add_argument(
        "--max-kb",
        type=int,
        default=300,
        help="reduce to a 256-colour palette if the PNG is larger",
    )
    args = parser.parse_args(argv)

    sheet = contact_sheet(args.n, args.size, args.seed)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)
    if os.path.getsize(out) > args.max_kb * 1024:
        # Smooth gradients compress poorly as true colour; a palette keeps the look.
        sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            out, optimize=True
        )
    print(f"wrote {out} ({os.path.getsize(out) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
