"""Reading and decoding a folder of images into the thesis's format: square RGB, S x S.

Decoding is done with Pillow, which reads PNG, JPEG, GIF, BMP and WebP alike, handles
palette and greyscale images and transparency, and reports truncated files. Each image
is:

1. decoded (first frame of an animation), turned upright by its EXIF orientation;
2. converted to RGB; transparent pixels are composited onto ``background`` (black for
   pokemon sprites, white for anime faces);
3. made square, by centre-cropping (photos, card art) or by padding with
   ``background`` (small sprites that must not be cut);
4. resized to ``image_size`` with an antialiasing filter.

The decoded set is kept in memory as uint8 (N * S * S * 3 bytes: 2,000 images at 128
are 98 MB), which is the cache the ``tf.data`` pipeline of :mod:`mitlgan.data.folder`
reads from. This module imports no other module of the package, so both the pipeline
and :mod:`mitlgan.data.augment` can use it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from mitlgan.errors import UserInputError

__all__ = [
    "IMAGE_EXTENSIONS",
    "SQUARE_MODES",
    "FolderReport",
    "ImageReadError",
    "EmptyImageFolderError",
    "list_image_files",
    "read_image",
    "read_image_folder",
    "to_float",
    "to_uint8",
]

# File endings read as images (compared in lower case). Anything else is "not an image".
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".gif", ".bmp", ".webp")
SQUARE_MODES = ("crop", "pad")
_RESAMPLE = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
    "box": Image.Resampling.BOX,
    "nearest": Image.Resampling.NEAREST,
}
LAYOUT_HINT = (
    "Expected a folder with the images directly inside it (PNG, JPEG, GIF, BMP or WebP), "
    "e.g. ROOT/NAME/foreground/0001.png; a prepared dataset has ROOT/NAME/foreground/, "
    "ROOT/NAME/background/ and ROOT/NAME/combined/ (see `python -m mitlgan.data prepare "
    "--help`)."
)


class ImageReadError(UserInputError, OSError):
    """An image file could not be decoded (corrupt, truncated, or not what its name says)."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(
            f"Cannot read image file {self.path!r}: {reason}. Remove or replace the file, "
            "or pass skip_corrupt=True (--skip-corrupt on the command line) to skip such "
            "files; skipped files are counted in the report."
        )


class EmptyImageFolderError(UserInputError, FileNotFoundError):
    """A folder is missing, or holds no readable image."""


@dataclass
class FolderReport:
    """What reading a folder did: the files read, and the files skipped and why.

    Attributes:
        path: the folder.
        files: the image files read, in the order of the returned images.
        skipped: ``(file, reason)`` for every file not read; reasons start with
            ``"not an image"``, ``"corrupt"`` or ``"subfolder"``.
    """

    path: str
    files: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def n_read(self) -> int:
        return len(self.files)

    @property
    def n_skipped(self) -> int:
        return len(self.skipped)

    def skipped_by_reason(self) -> dict[str, list[str]]:
        """Skipped files grouped by the reason's kind (text before the first colon)."""
        out: dict[str, list[str]] = {}
        for f, reason in self.skipped:
            out.setdefault(reason.split(":")[0], []).append(f)
        return out

    def summary(self) -> str:
        """One line: ``read N images from PATH; skipped M (k not an image: a.txt, ...)``."""
        text = f"read {self.n_read} images from {self.path}"
        if not self.skipped:
            return text + "; skipped none"
        parts = []
        for kind, files in self.skipped_by_reason().items():
            names = ", ".join(os.path.basename(f) for f in files[:3])
            more = f", ... (+{len(files) - 3})" if len(files) > 3 else ""
            parts.append(f"{len(files)} {kind}: {names}{more}")
        return text + f"; skipped {self.n_skipped} ({'; '.join(parts)})"


def _colour(background) -> tuple[int, int, int]:
    if isinstance(background, str):
        named = {"black": (0, 0, 0), "white": (255, 255, 255)}
        if background.lower() not in named:
            raise ValueError(
                f"background must be 'black', 'white' or an (r, g, b) tuple of "
                f"0-255 ints, got {background!r}"
            )
        return named[background.lower()]
    rgb = tuple(int(c) for c in background)
    if len(rgb) != 3 or any(not 0 <= c <= 255 for c in rgb):
        raise ValueError(f"background must be an (r, g, b) tuple of 0-255 ints, got {background!r}")
    return rgb  # type: ignore[return-value]


def _check_options(image_size, square, resample):
    if not isinstance(image_size, (int, np.integer)) or image_size < 1:
        raise ValueError(f"image_size must be a positive int, got {image_size!r}")
    if square not in SQUARE_MODES:
        raise ValueError(f"square must be one of {SQUARE_MODES}, got {square!r}")
    if resample not in _RESAMPLE:
        raise ValueError(f"resample must be one of {tuple(_RESAMPLE)}, got {resample!r}")


def _to_rgb_array(img: Image.Image, background: tuple[int, int, int]) -> np.ndarray:
    """Any Pillow mode -> (H, W, 3) uint8, transparency composited onto ``background``."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N"):
        # 16-bit greyscale: keep the top 8 bits rather than clipping at 255.
        img = Image.fromarray((np.asarray(img, np.uint32) >> 8).astype(np.uint8), "L")
    elif img.mode in ("I", "F"):
        arr = np.asarray(img, np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0 if arr.max() > 1 else 1.0
        img = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if not has_alpha:
        return np.asarray(img.convert("RGB"), np.uint8)
    rgba = np.asarray(img.convert("RGBA"), np.float32)
    alpha = rgba[..., 3:] / 255.0
    out = rgba[..., :3] * alpha + np.asarray(background, np.float32) * (1.0 - alpha)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def _square(arr: np.ndarray, mode: str, background: tuple[int, int, int]) -> np.ndarray:
    h, w = arr.shape[:2]
    if h == w:
        return arr
    if mode == "crop":
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        return arr[top : top + side, left : left + side]
    side = max(h, w)
    out = np.empty((side, side, 3), np.uint8)
    out[...] = background
    top, left = (side - h) // 2, (side - w) // 2
    out[top : top + h, left : left + w] = arr
    return out


def read_image(
    path,
    image_size: int = 128,
    *,
    square: str = "crop",
    background=(0, 0, 0),
    resample: str = "lanczos",
) -> np.ndarray:
    """Read one image file with the thesis's preprocessing.

    Args:
        path: image file (PNG, JPEG, GIF, BMP, WebP; an animation gives its first frame).
        image_size: side S of the output.
        square: ``"crop"`` (centre crop to the short side) or ``"pad"`` (pad to the long
            side with ``background``, so nothing is cut).
        background: colour that transparent pixels and padding become: ``"black"``,
            ``"white"`` or an (r, g, b) tuple of 0-255 ints.
        resample: ``"lanczos"`` (default), ``"bicubic"``, ``"bilinear"``, ``"box"`` or
            ``"nearest"``; all but nearest antialias when shrinking.

    Returns:
        uint8 array (S, S, 3).

    Raises:
        ImageReadError: the file cannot be decoded (corrupt, truncated, not an image).
    """
    _check_options(image_size, square, resample)
    colour = _colour(background)
    try:
        with Image.open(path) as img:
            img.seek(0)  # first frame of an animated GIF/WebP/PNG
            img.load()  # decode now, so that a truncated file fails here
            img = ImageOps.exif_transpose(img)
            arr = _to_rgb_array(img, colour)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise ImageReadError(path, f"{type(exc).__name__}: {exc}") from exc
    arr = _square(arr, square, colour)
    if arr.shape[0] != image_size:
        arr = np.asarray(
            Image.fromarray(arr).resize((image_size, image_size), _RESAMPLE[resample]), np.uint8
        )
    return arr


def list_image_files(path, recursive: bool = False) -> tuple[list[str], list[tuple[str, str]]]:
    """Sorted image files under ``path``, and ``(file, reason)`` for everything else.

    Files are classified by their ending (``IMAGE_EXTENSIONS``); hidden files (``.*``,
    e.g. ``.DS_Store``) are ignored silently. Without ``recursive``, subfolders are
    reported as skipped.

    Raises:
        EmptyImageFolderError: ``path`` does not exist or is not a folder.
    """
    root = Path(path)
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "does not exist"
        raise EmptyImageFolderError(f"Image folder {str(root)!r} {what}. {LAYOUT_HINT}")
    images: list[str] = []
    others: list[tuple[str, str]] = []
    walker = os.walk(root) if recursive else [(str(root), None, None)]
    for dirpath, dirnames, _ in walker:
        if dirnames is not None:
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        with os.scandir(dirpath) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.startswith("."):
                    continue
                if entry.is_dir():
                    if not recursive:
                        others.append((entry.path, "subfolder: not searched (use recursive=True)"))
                    continue
                ext = os.path.splitext(entry.name)[1].lower()
                if ext in IMAGE_EXTENSIONS:
                    images.append(entry.path)
                else:
                    others.append((entry.path, f"not an image: ending {ext or '(none)'!r}"))
    return images, others


def read_image_folder(
    path,
    image_size: int = 128,
    *,
    square: str = "crop",
    background=(0, 0, 0),
    resample: str = "lanczos",
    skip_corrupt: bool = False,
    recursive: bool = False,
    files: Sequence[str] | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> tuple[np.ndarray, FolderReport]:
    """Read every image in a folder into one uint8 array.

    Args:
        path: the folder.
        image_size, square, background, resample: see ``read_image``.
        skip_corrupt: skip files that cannot be decoded (and count them in the report)
            instead of raising ``ImageReadError``.
        recursive: also read subfolders.
        files: read these files (in this order) instead of listing the folder.
        workers: decoding threads (Pillow releases the GIL); default ``min(4, cores)``.
        progress: print a progress bar to stderr.

    Returns:
        ``(images, report)``: uint8 (N, S, S, 3) and a ``FolderReport``.

    Raises:
        EmptyImageFolderError: the folder is missing, or has no readable image.
        ImageReadError: a file cannot be decoded and ``skip_corrupt`` is False.
    """
    _check_options(image_size, square, resample)
    colour = _colour(background)
    if files is None:
        files, others = list_image_files(path, recursive=recursive)
    else:
        files, others = [str(f) for f in files], []
    report = FolderReport(path=str(path), skipped=list(others))
    if not files:
        raise EmptyImageFolderError(
            f"No image files in {str(path)!r} ({report.summary()}). {LAYOUT_HINT}"
        )

    def one(f: str):
        try:
            return read_image(f, image_size, square=square, background=colour, resample=resample)
        except ImageReadError as exc:
            if not skip_corrupt:
                raise
            return exc

    workers = workers or min(4, os.cpu_count() or 1)
    results = []
    bar = _Progress(len(files), f"reading {path}") if progress else None
    with ThreadPoolExecutor(max(1, workers)) as pool:
        for result in pool.map(one, files):
            results.append(result)
            if bar:
                bar.update()
    if bar:
        bar.close()
    images = []
    for f, result in zip(files, results):
        if isinstance(result, ImageReadError):
            report.skipped.append((f, f"corrupt: {result.reason}"))
        else:
            report.files.append(f)
            images.append(result)
    if not images:
        raise EmptyImageFolderError(
            f"No readable image in {str(path)!r}: {report.summary()}. {LAYOUT_HINT}"
        )
    return np.stack(images), report


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] -> float32 [-1, 1] (0 -> -1, 255 -> 1)."""
    return (np.asarray(images, np.float32) / np.float32(127.5) - np.float32(1.0)).astype(np.float32)


def to_uint8(images) -> np.ndarray:
    """float [-1, 1] -> uint8 [0, 255], rounding and clipping."""
    return np.clip((np.asarray(images, np.float32) + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


class _Progress:
    """A dependency-free progress bar on stderr: redrawn in place on a terminal; a file
    or a pipe (a log, CI) gets a plain line at every quarter instead, so a log never
    holds a line thousands of characters long."""

    QUARTERS = (25, 50, 75, 100)

    def __init__(self, total: int, label: str, width: int = 30):
        self.total, self.label, self.width, self.n = max(total, 1), label, width, 0
        self._last = -1
        self._redraw = sys.stderr.isatty()

    def update(self, k: int = 1) -> None:
        self.n += k
        pct = int(100 * self.n / self.total)
        if pct == self._last:
            return
        if self._redraw:
            filled = int(self.width * self.n / self.total)
            bar = "#" * filled + "." * (self.width - filled)
            sys.stderr.write(f"\r{self.label} [{bar}] {self.n}/{self.total}")
        else:
            passed = [q for q in self.QUARTERS if self._last < q <= pct]
            if passed:
                sys.stderr.write(f"{self.label}: {self.n}/{self.total} ({pct}%)\n")
        self._last = pct
        sys.stderr.flush()

    def close(self) -> None:
        if self._redraw:
            sys.stderr.write("\n")
            sys.stderr.flush()
