"""The glyph data the zi2zi stages and report share: the pairs rendered once per process,
the held-out split as arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reproductions.runner import say


def glyphs(context) -> dict:
    """The run's glyph pairs, split into training and held-out characters (once per process).

    Returns:
        {"pairs": FontPairs of every charset character, "train_chars": str,
        "held_out_chars": str, "charset": str}.
    """

    def load():
        from mitlgan.data.fonts import font_pairs, shared_charset, split_characters

        config = context.settings
        fonts = config.source_fonts + config.target_fonts
        charset = (Path(config.charset_file).read_text(encoding="utf-8").strip()
                   if config.charset_file else shared_charset(fonts))
        train_chars, held_out = split_characters(charset, config.held_out_fraction,
                                                 seed=config.seed)
        train_chars = train_chars[:config.train_chars] if config.train_chars else train_chars
        held_out = held_out[:config.held_out_chars] if config.held_out_chars else held_out
        pairs = font_pairs(config.source_fonts, config.target_fonts,
                           train_chars + held_out)
        for font, missing in pairs.skipped.items():
            say(f"  {Path(font).name} lacks {len(missing)} of the characters: skipped, not drawn")
        return {"pairs": pairs, "train_chars": train_chars, "held_out_chars": held_out,
                "charset": charset, "classes": glyph_classes(train_chars + held_out,
                                                            config.target_fonts)}

    return context.load_once("glyphs", load)


def glyph_classes(chars: str, fonts) -> dict:
    """{character: class id} where homoglyphs (Latin A, Cyrillic А, Greek Α...) that render
    identically in every target font share a class: no classifier can tell them apart."""
    from mitlgan.data.fonts import render_glyph

    first_of = {}
    classes = {}
    for char in chars:
        key = b"".join(render_glyph(char, font).tobytes() for font in fonts)
        classes[char] = first_of.setdefault(key, len(first_of))
    return classes


def select_pairs(pairs, chars: str, source_index: int | None = None, max_sources: int = 1):
    keep = set(chars)
    mask = np.array([c in keep for c in pairs.chars])
    if source_index is not None:
        mask &= pairs.source_indices == source_index
    else:
        mask &= pairs.source_indices < max_sources
    return np.flatnonzero(mask)


def held_out_arrays(context):
    """(targets, sources, styles, char indices) of the held-out pairs from the first
    source font, in [-1, 1] with the model's channels."""
    data = glyphs(context)
    pairs = data["pairs"]
    index = select_pairs(pairs, data["held_out_chars"], source_index=0)
    targets, sources, styles = pairs.as_training_arrays(context.settings.channels)
    char_index = np.array([data["classes"][c] for c in np.asarray(pairs.chars)[index]])
    return targets[index], sources[index], styles[index], char_index
