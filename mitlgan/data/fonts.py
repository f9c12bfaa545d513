"""Glyph pairs from fonts for zi2zi: the same character in a source font and in target fonts.

Glyphs are drawn as zi2zi's ``font2img.py`` draws them: black text on a white square
canvas, the text's top-left corner at a fixed offset. Document 000's 64x64 port of that
script (github.com/yanghaoxiang7/Yang-Haoxiang-s-First-Research-Turn,
``zi2zi-master/font2img.py``) sets canvas 64, character size 32 and offsets (16, 16);
zi2zi's own 256x256 values (150, 20) scaled to 64 would be 37.5 and 5.

Missing characters are found from the fonts' character maps (never by rendering) and
skipped; :class:`FontPairs` counts them per font. The offline default fonts are the
ones matplotlib ships inside its package, so no download and no system font is needed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["DEFAULT_SOURCE_FONT", "gb2312_level1", "DEFAULT_TARGET_FONTS", "EXTRA_SOURCE_FONTS", "FontPairs",
           "GLYPH_LAYOUT", "bundled_font", "font_charmap", "font_pairs", "render_glyph",
           "shared_charset", "split_characters"]

# canvas, character size, (x, y) offset of document 000's 64x64 font2img.py
GLYPH_LAYOUT = {"canvas": 64, "char_size": 32, "offset": (16, 16)}
DEFAULT_SOURCE_FONT = "DejaVuSans.ttf"
DEFAULT_TARGET_FONTS = ("DejaVuSerif.ttf", "STIXGeneral.ttf", "DejaVuSansMono.ttf",
                        "DejaVuSans-BoldOblique.ttf")
EXTRA_SOURCE_FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif-Italic.ttf")  # the 3-source study


def bundled_font(name: str) -> Path:
    """Path of a font shipped inside matplotlib (``mpl-data/fonts/ttf``), or of ``name``
    itself when it is an existing file.

    Raises:
        FileNotFoundError: neither; the message lists the bundled fonts.
    """
    path = Path(name).expanduser()
    if path.is_file():
        return path
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if (folder / name).is_file():
        return folder / name
    available = ", ".join(sorted(p.name for p in folder.glob("*.ttf")))
    raise FileNotFoundError(f"font {name!r} is neither a file nor one of matplotlib's bundled "
                            f"fonts ({available}). Give the path of a TTF/OTF file.")


@lru_cache(maxsize=32)
def _charmap(path: str) -> frozenset:
    from matplotlib.ft2font import FT2Font

    try:
        return frozenset(FT2Font(path).get_charmap())
    except (RuntimeError, OSError) as err:
        raise ValueError(f"font {path} cannot be read ({err}); is it a TTF/OTF file?") from err


def font_charmap(font) -> frozenset:
    """The code points a font maps to glyphs (from its character map)."""
    return _charmap(str(bundled_font(str(font))))


def shared_charset(fonts, categories=("L", "N")) -> str:
    """Characters every font in ``fonts`` covers whose Unicode category starts with one of
    ``categories`` (letters and digits by default), in code-point order."""
    common = frozenset.intersection(*(font_charmap(f) for f in fonts))
    return "".join(chr(c) for c in sorted(common)
                   if unicodedata.category(chr(c))[0] in categories)


@lru_cache(maxsize=64)
def _truetype(path: str, size: float):
    from PIL import ImageFont

    return ImageFont.truetype(path, size=size)


def render_glyph(char: str, font, *, canvas: int = GLYPH_LAYOUT["canvas"],
                 char_size: float = GLYPH_LAYOUT["char_size"],
                 offset=GLYPH_LAYOUT["offset"]) -> np.ndarray:
    """uint8 (canvas, canvas) image of ``char``: black (0) on white (255), drawn at
    ``offset`` as font2img.py draws it."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (canvas, canvas), 255)
    ImageDraw.Draw(image).text(tuple(offset), char, fill=0,
                               font=_truetype(str(bundled_font(str(font))), char_size))
    return np.asarray(image, dtype=np.uint8)


def gb2312_level1() -> str:
    """The 3,755 level-1 ("frequently used") hanzi of GB2312, in the standard's order
    (by pinyin), from Python's own ``gb2312`` codec: rows 0xB0-0xD7 of the code table."""
    return "".join(bytes([row, cell]).decode("gb2312") for row in range(0xB0, 0xD8)
                   for cell in range(0xA1, 0xFF) if not (row == 0xD7 and cell > 0xF9))


def split_characters(charset: str, held_out_fraction: float = 0.2, seed: int = 0):
    """A fixed, seeded split of ``charset`` into (train, held_out) strings.

    Held-out characters are never trained on: they measure generalisation to unseen
    characters. Both keep the charset's order.
    """
    if not 0.0 < held_out_fraction < 1.0:
        raise ValueError(f"held_out_fraction={held_out_fraction!r} must be in (0, 1)")
    order = np.random.default_rng(seed).permutation(len(charset))
    held = set(order[:max(1, round(held_out_fraction * len(charset)))].tolist())
    return ("".join(c for i, c in enumerate(charset) if i not in held),
            "".join(c for i, c in enumerate(charset) if i in held))


@dataclass
class FontPairs:
    """Glyph pairs: ``sources[i]`` and ``targets[i]`` show ``chars[i]``.

    Attributes:
        sources, targets: uint8 (N, S, S, 1), black glyph on white.
        categories: int32 (N,) style category, the index of the target font.
        source_indices: int32 (N,) index of the source font (several sources).
        chars: the N characters.
        skipped: {font name: characters of the charset it lacks}, skipped, not drawn.
        target_fonts, source_fonts: the font names, in category / index order.
    """

    sources: np.ndarray
    targets: np.ndarray
    categories: np.ndarray
    source_indices: np.ndarray
    chars: list
    skipped: dict = field(default_factory=dict)
    target_fonts: tuple = ()
    source_fonts: tuple = ()

    def __len__(self) -> int:
        return len(self.chars)

    def as_training_arrays(self, channels: int = 3):
        """(targets, sources, categories) as zi2zi trains on them: float32 (N, S, S, channels)
        in [-1, 1] (white = 1) and int32 (N,)."""
        def scale(images):
            return np.repeat(images.astype(np.float32) / 127.5 - 1.0, channels, axis=-1)

        return scale(self.targets), scale(self.sources), self.categories.astype(np.int32)


def font_pairs(source_font, target_fonts, charset: str, image_size: int = 64) -> FontPairs:
    """Render each character of ``charset`` in the source font(s) and each target font.

    Args:
        source_font: a font name or path, or a list of them (each source is paired with
            every target).
        target_fonts: font names or paths; the style category is the index here.
        charset: the characters.
        image_size: canvas size; character size and offset scale with it from the 64x64
            layout (:data:`GLYPH_LAYOUT`).

    Returns:
        :class:`FontPairs`, in the order source, target, character. A character missing
        from the source or the target font is skipped for that pair and counted.
    """
    sources = [source_font] if isinstance(source_font, (str, Path)) else list(source_font)
    targets = list(target_fonts)
    if not targets:
        raise ValueError("give at least one target font")
    scale = image_size / GLYPH_LAYOUT["canvas"]
    layout = {"canvas": image_size, "char_size": GLYPH_LAYOUT["char_size"] * scale,
              "offset": tuple(round(o * scale) for o in GLYPH_LAYOUT["offset"])}
    maps = {str(f): font_charmap(f) for f in sources + targets}
    skipped = {str(f): "".join(c for c in charset if ord(c) not in maps[str(f)])
               for f in sources + targets}
    glyphs = {}

    def glyph(char, font):
        key = (char, str(font))
        if key not in glyphs:
            glyphs[key] = render_glyph(char, font, **layout)
        return glyphs[key]

    rows = []
    for s_index, source in enumerate(sources):
        for category, target in enumerate(targets):
            for char in charset:
                if ord(char) in maps[str(source)] and ord(char) in maps[str(target)]:
                    rows.append((glyph(char, source), glyph(char, target), category, s_index,
                                 char))
    if not rows:
        raise ValueError("no character of the charset is in both the source and a target font")
    source_images, target_images, categories, source_indices, chars = zip(*rows)
    return FontPairs(np.stack(source_images)[..., None], np.stack(target_images)[..., None],
                     np.asarray(categories, np.int32), np.asarray(source_indices, np.int32),
                     list(chars), {k: v for k, v in skipped.items() if v},
                     tuple(Path(str(t)).stem for t in targets),
                     tuple(Path(str(s)).stem for s in sources))
