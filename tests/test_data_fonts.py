"""Glyph pairs from fonts: deterministic renders, the font2img layout, missing characters."""

import numpy as np
import pytest

from mitlgan.data.fonts import (
    DEFAULT_SOURCE_FONT,
    DEFAULT_TARGET_FONTS,
    GLYPH_LAYOUT,
    bundled_font,
    font_charmap,
    font_pairs,
    render_glyph,
    shared_charset,
    split_characters,
)


def _ink_box(glyph):
    rows, cols = np.nonzero(glyph < 128)
    return rows.min(), rows.max(), cols.min(), cols.max()


def test_the_same_character_renders_identically_and_fonts_differ():
    first, again = render_glyph("A", DEFAULT_SOURCE_FONT), render_glyph("A", DEFAULT_SOURCE_FONT)
    assert first.dtype == np.uint8 and first.shape == (64, 64)
    np.testing.assert_array_equal(first, again)
    serif = render_glyph("A", "DejaVuSerif.ttf")
    assert np.mean(first != serif) > 0.01


def test_glyphs_sit_where_font2img_draws_them():
    # document 000's font2img.py: canvas 64, character size 32, text drawn at (16, 16)
    assert GLYPH_LAYOUT == {"canvas": 64, "char_size": 32, "offset": (16, 16)}
    glyph = render_glyph("H", DEFAULT_SOURCE_FONT)
    top, bottom, left, right = _ink_box(glyph)
    # PIL puts the text box's top-left at the offset; a capital starts below the ascender
    # line and its left bearing is a few pixels
    assert 16 <= left <= 22 and 16 <= top <= 28 and bottom < 64 - 8 and right < 64 - 16
    moved = render_glyph("H", DEFAULT_SOURCE_FONT, offset=(20, 16))
    assert _ink_box(moved)[2] == left + 4 and _ink_box(moved)[0] == top
    assert glyph[0].min() == 255 and glyph[:, 0].min() == 255  # white margins


def test_missing_characters_are_skipped_and_counted_from_the_charmap():
    cmr = bundled_font("cmr10.ttf")
    assert ord("A") in font_charmap(cmr) and ord("ж") not in font_charmap(cmr)
    pairs = font_pairs(DEFAULT_SOURCE_FONT, ["DejaVuSerif.ttf", str(cmr)], "Aжb")
    assert pairs.skipped == {str(cmr): "ж"}
    # DejaVu Serif gets all three; cmr10 gets A and b only
    assert sorted(zip(pairs.categories.tolist(), pairs.chars)) == [
        (0, "A"), (0, "b"), (0, "ж"), (1, "A"), (1, "b")]
    for index, char in enumerate(pairs.chars):
        target = ["DejaVuSerif.ttf", str(cmr)][pairs.categories[index]]
        np.testing.assert_array_equal(pairs.targets[index, ..., 0], render_glyph(char, target))
        np.testing.assert_array_equal(pairs.sources[index, ..., 0],
                                      render_glyph(char, DEFAULT_SOURCE_FONT))


def test_the_default_charset_is_the_shared_letters_and_digits():
    charset = shared_charset([DEFAULT_SOURCE_FONT, *DEFAULT_TARGET_FONTS])
    assert 600 <= len(charset) <= 700  # about 640 Latin, Greek and Cyrillic
    assert "0" in charset and "Z" in charset and "λ" in charset and "ж" in charset
    assert " " not in charset and "," not in charset
    for font in (DEFAULT_SOURCE_FONT, *DEFAULT_TARGET_FONTS):
        assert all(ord(c) in font_charmap(font) for c in charset)
    assert len(shared_charset([DEFAULT_SOURCE_FONT, "cmr10.ttf"])) < 150


def test_the_split_is_seeded_disjoint_and_complete():
    charset = "".join(chr(c) for c in range(ord("A"), ord("A") + 50))
    train, held = split_characters(charset, 0.2, seed=3)
    assert (train, held) == split_characters(charset, 0.2, seed=3)
    assert len(held) == 10 and not set(train) & set(held) and set(train + held) == set(charset)
    assert split_characters(charset, 0.2, seed=4) != (train, held)


def test_training_arrays_are_in_the_tanh_range_with_three_channels():
    pairs = font_pairs(DEFAULT_SOURCE_FONT, DEFAULT_TARGET_FONTS[:2], "ab")
    targets, sources, styles = pairs.as_training_arrays(3)
    assert targets.shape == (4, 64, 64, 3) and targets.dtype == np.float32
    assert targets.max() == 1.0 and targets.min() >= -1.0  # white background is +1
    np.testing.assert_array_equal(sources[..., 0], sources[..., 2])
    assert styles.tolist() == [0, 0, 1, 1]


def test_unknown_fonts_are_named():
    with pytest.raises(FileNotFoundError, match="NoSuchFont.ttf.*bundled"):
        bundled_font("NoSuchFont.ttf")


def test_gb2312_level_one_is_the_standard_table():
    from mitlgan.data.fonts import gb2312_level1

    chars = gb2312_level1()
    assert len(chars) == 3755 and chars[0] == "啊" and chars[-1] == "座"
    assert len(set(chars)) == 3755 and "的" in chars
