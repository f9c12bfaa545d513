"""Bad input files end a reproduction with exit code 2 and a message naming the file,
without a traceback on the console; every flag the message names exists on that
command; the traceback is kept in run.log (and shown with --debug)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from reproductions.runner.engine import build_parser

CORRUPT = b"\x89PNG\r\n\x1a\nnot an image at all"


def _images(folder: Path, count: int, corrupt: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (16, 16, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    if corrupt:
        (folder / "broken.png").write_bytes(CORRUPT)
    return folder


def _run(module: str, *argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "true"}
    env.pop("MITLGAN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", f"reproductions.{module}", *map(str, argv)],
                          capture_output=True, text=True, env=env, timeout=300)


def _flags_parse(reproduction, text: str) -> None:
    known = build_parser(reproduction).format_help()
    for flag in set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text)):
        assert re.search(rf"{flag}\b", known), f"the message names {flag}, which the parser lacks"


def _user_error(result, must_name: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert must_name in result.stderr


def test_dcgan_corrupt_image_is_a_user_error_naming_the_file(tmp_path):
    from reproductions.dcgan.run import reproduction_for

    images = _images(tmp_path / "imgs", 4, corrupt=True)
    argv = ("--images", images, "--dataset", "emoji", "--preset", "quick", "--output", tmp_path)
    result = _run("dcgan", *argv)
    _user_error(result, str(images / "broken.png"))
    assert "--skip-corrupt" in result.stderr
    _flags_parse(reproduction_for(None), result.stderr)
    log = (tmp_path / "dcgan" / "emoji" / "run.log").read_text()
    assert "Traceback" in log and "ImageReadError" in log  # kept for a bug report

    shown = _run("dcgan", *argv, "--debug")
    assert shown.returncode != 0 and "Traceback" in shown.stderr


def test_dcgan_missing_folder_is_a_user_error(tmp_path):
    from reproductions.dcgan.run import reproduction_for

    result = _run("dcgan", "--images", tmp_path / "nowhere", "--dataset", "emoji",
                  "--preset", "quick", "--output", tmp_path)
    _user_error(result, str(tmp_path / "nowhere"))
    _flags_parse(reproduction_for(None), result.stderr)


def test_mitlgan_corrupt_prepared_image_and_skip_corrupt(tmp_path):
    from reproductions.mitlgan.run import REPRODUCTION

    root = tmp_path / "data"
    for part in ("foreground", "background", "combined"):
        _images(root / "pokemon" / part, 8, corrupt=part == "combined")
    argv = ("--dataset", "pokemon", "--data-root", root, "--preset", "quick", "--image-size", 16,
            "--backbone", "random", "--n-images", 7, "--batch-size", 4, "--until", "judge")
    result = _run("mitlgan", *argv, "--output", tmp_path / "a")
    _user_error(result, str(root / "pokemon" / "combined" / "broken.png"))
    _flags_parse(REPRODUCTION, result.stderr)
    skipped = _run("mitlgan", *argv, "--skip-corrupt", "--output", tmp_path / "b")
    assert skipped.returncode == 0, skipped.stderr
    assert "skipped 1 (1 corrupt: broken.png)" in skipped.stdout + skipped.stderr


def test_zi2zi_unreadable_font_and_missing_charset(tmp_path):
    from reproductions.zi2zi.run import reproduction_for

    font = tmp_path / "broken.ttf"
    font.write_bytes(b"not a font")
    result = _run("zi2zi", "--source-font", font, "--preset", "quick", "--output", tmp_path)
    _user_error(result, str(font))
    _flags_parse(reproduction_for("l1"), result.stderr)
    missing = _run("zi2zi", "--charset", tmp_path / "none.txt", "--preset", "quick",
                   "--output", tmp_path)
    _user_error(missing, "none.txt")


@pytest.mark.parametrize("module", ["mnist_gans", "palindrome"])
def test_an_unknown_flag_value_is_exit_code_2_without_traceback(module, tmp_path):
    result = _run(module, "--preset", "no-such-preset", "--output", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no-such-preset" in result.stderr
