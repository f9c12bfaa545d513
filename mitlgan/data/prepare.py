"""Turning raw downloads into the prepared layout ``ROOT/NAME/{foreground,background,combined}/``.

For each part: list the images under the source folder (recursively), optionally keep a
seeded random subset, then read each with the dataset's preprocessing (composite onto
its colour, crop or pad to a square, resize with antialiasing), blur if the recipe says
so, write ``00000.png, 00001.png, ...``, and optionally add augmented copies
(``00000_aug1.png``). A part is written to a temporary folder and renamed when complete,
so an interrupted run never leaves a half-prepared part behind. ``ROOT/NAME/prepared.json``
records what was done.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from mitlgan.data.images import (
    LAYOUT_HINT,
    EmptyImageFolderError,
    ImageReadError,
    _Progress,
    list_image_files,
    read_image,
    to_float,
    to_uint8,
)
from mitlgan.data.registry import DATASETS, PARTS, data_root, get_dataset
from mitlgan.errors import UserInputError

__all__ = ["prepare_dataset", "PrepareError"]


class PrepareError(UserInputError, ValueError):
    """The sources or options of ``prepare`` are unusable; nothing was written."""


def _limit_for(limit, spec, part) -> int | None:
    if limit is None:
        return None
    if limit == "thesis":
        return spec.thesis_counts[part]
    if isinstance(limit, (int, np.integer)) and not isinstance(limit, bool) and limit > 0:
        return int(limit)
    raise PrepareError(f"limit must be a positive int, 'thesis' or None, got {limit!r}")


def _source_for(part, source, part_sources) -> Path:
    if part_sources and part_sources.get(part):
        return Path(part_sources[part])
    if source is None:
        raise PrepareError(
            f"No source for part {part!r}: pass --source DIR (with DIR/{part}/ inside) or "
            f"--{part} DIR."
        )
    return Path(source) / part


def prepare_dataset(
    name: str,
    source=None,
    root=None,
    *,
    parts: Sequence[str] | None = None,
    part_sources: Mapping[str, str] | None = None,
    image_size: int = 128,
    augment: int = 0,
    limit=None,
    seed: int = 0,
    skip_corrupt: bool = False,
    overwrite: bool = False,
    progress: bool = True,
) -> dict:
    """Prepare ``ROOT/NAME/PART/`` from raw images, with the dataset's recipe settings.

    Args:
        name: a real dataset of ``DATASETS`` (not ``synthetic``).
        source: folder with ``foreground/``, ``background/`` and ``combined/`` inside,
            each holding raw images in any layout (subfolders are searched).
        root: data root (default ``$MITLGAN_DATA_ROOT`` or ``./data``).
        parts: the parts to prepare (default all three).
        part_sources: part -> folder, overriding ``SOURCE/PART`` (e.g. point
            ``background`` at an already prepared ``ROOT/anime/background``).
        image_size: side S of the written images.
        augment: augmented copies to add per image (thesis 6.2.2), 0 for none.
        limit: keep at most this many images per part (a seeded random subset), or
            ``"thesis"`` for the thesis's counts; None keeps all.
        seed: seed of the subset and of the augmentation.
        skip_corrupt: skip undecodable files (counted in the manifest) instead of failing.
        overwrite: replace parts that are already prepared.
        progress: show a progress bar on stderr.

    Returns:
        The manifest written to ``ROOT/NAME/prepared.json``.

    Raises:
        UnknownDatasetError: unknown name.
        PrepareError: built-in dataset, bad options, or a part already prepared without
            ``overwrite``; checked before anything is written.
        EmptyImageFolderError: a source folder is missing or has no images.
        ImageReadError: a file cannot be decoded and ``skip_corrupt`` is False.
    """
    spec = get_dataset(name)
    if spec.builtin:
        raise PrepareError(
            f"{name!r} is built in and made on the fly; there is nothing to "
            f"prepare. Real datasets: "
            f"{', '.join(n for n, s in DATASETS.items() if not s.builtin)}."
        )
    parts = tuple(parts) if parts else PARTS
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise PrepareError(f"Unknown part(s) {unknown}; parts are {', '.join(PARTS)}.")
    if not isinstance(augment, (int, np.integer)) or augment < 0:
        raise PrepareError(f"augment must be a non-negative int, got {augment!r}")
    if not isinstance(image_size, (int, np.integer)) or image_size < 8:
        raise PrepareError(f"image_size must be an int >= 8, got {image_size!r}")
    base = data_root(root) / spec.name

    # Validate everything before writing anything.
    plan = []
    for part in parts:
        src = _source_for(part, source, part_sources)
        files, others = list_image_files(src, recursive=True)
        if not files:
            raise EmptyImageFolderError(
                f"No image files under {str(src)!r} for part {part!r} of {name!r} "
                f"({len(others)} other files). {LAYOUT_HINT}\n{spec.how_to_prepare(root)}"
            )
        cap = _limit_for(limit, spec, part)
        if cap is not None and len(files) > cap:
            pick = np.sort(
                np.random.default_rng([seed, PARTS.index(part)]).choice(
                    len(files), cap, replace=False
                )
            )
            files = [files[i] for i in pick]
        dst = base / part
        if dst.exists() and any(dst.iterdir()) and not overwrite:
            raise PrepareError(
                f"{dst} already holds files; pass overwrite=True (--overwrite) to replace them."
            )
        plan.append((part, src, files, others, dst))

    manifest_path = base / "prepared.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest.update(name=spec.name, image_size=int(image_size))
    manifest.setdefault("parts", {})
    for part, src, files, others, dst in plan:
        manifest["parts"][part] = _prepare_part(
            spec,
            part,
            src,
            files,
            others,
            dst,
            image_size=int(image_size),
            augment=int(augment),
            seed=seed,
            skip_corrupt=skip_corrupt,
            progress=progress,
        )
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _prepare_part(
    spec, part, src, files, others, dst, *, image_size, augment, seed, skip_corrupt, progress
) -> dict:
    sigma = spec.blur[part] * image_size / 128.0

    def one(f):
        try:
            arr = read_image(
                f, image_size, square=spec.square[part], background=spec.background_colour
            )
        except ImageReadError as exc:
            if not skip_corrupt:
                raise
            return exc
        if sigma > 0:
            # Pillow's GaussianBlur radius is the standard deviation.
            arr = np.asarray(Image.fromarray(arr).filter(ImageFilter.GaussianBlur(sigma)))
        return arr

    bar = _Progress(len(files), f"{spec.name}/{part}") if progress else None
    results = []
    with ThreadPoolExecutor(min(4, os.cpu_count() or 1)) as pool:
        for r in pool.map(one, files):
            results.append(r)
            if bar:
                bar.update()
    if bar:
        bar.close()
    skipped = [(f, reason) for f, reason in others]
    images = []
    for f, r in zip(files, results):
        if isinstance(r, ImageReadError):
            skipped.append((f, f"corrupt: {r.reason}"))
        else:
            images.append(r)
    if not images:
        raise ImageReadError(src, "no file under it could be decoded")
    images = np.stack(images)

    tmp = dst.parent / f".{part}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    names = []
    for i, img in enumerate(images):
        names.append(f"{i:05d}.png")
        Image.fromarray(img).save(tmp / names[-1])
    if augment:
        from mitlgan.data.augment import augment_array, build_augmenter

        if progress:
            print(
                f"{spec.name}/{part}: adding {augment} augmented copies per image", file=sys.stderr
            )
        copies = augment_array(
            to_float(images),
            augment,
            build_augmenter(seed=seed * 10 + PARTS.index(part)),
            include_originals=False,
        )
        for k in range(augment):
            for i, img in enumerate(to_uint8(copies[k * len(images) : (k + 1) * len(images)])):
                names.append(f"{i:05d}_aug{k + 1}.png")
                Image.fromarray(img).save(tmp / names[-1])
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)
    if progress:
        print(
            f"{spec.name}/{part}: wrote {len(names)} images to {dst} "
            f"({len(images)} read, {len(skipped)} skipped)",
            file=sys.stderr,
        )
    return {
        "source": str(src),
        "read": len(images),
        "written": len(names),
        "augmented_copies": augment,
        "square": spec.square[part],
        "blur_sigma_px": sigma,
        "background_colour": list(spec.background_colour),
        "skipped": [{"file": f, "reason": r} for f, r in skipped],
    }
