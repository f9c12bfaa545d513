"""Named datasets: the built-in synthetic set and recipes for the thesis's three groups.

A real dataset lives in ``ROOT/NAME/{foreground,background,combined}/`` (a folder of
images per part), made from raw downloads by ``python -m mitlgan.data prepare``. ROOT
is the ``root`` argument, else the ``MITLGAN_DATA_ROOT`` environment variable, else
``./data``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import numpy as np

from mitlgan.data.folder import load_image_array
from mitlgan.data.images import IMAGE_EXTENSIONS
from mitlgan.data.synthetic import synthetic_scenes
from mitlgan.errors import UserInputError

__all__ = [
    "PARTS",
    "DATASETS",
    "DatasetSpec",
    "UnknownDatasetError",
    "DatasetNotPreparedError",
    "data_root",
    "get_dataset",
    "check_dataset",
    "load_parts",
    "DEFAULT_SYNTHETIC_N",
]

PARTS = ("foreground", "background", "combined")
DEFAULT_SYNTHETIC_N = 512
_REPO_ROOT = Path(__file__).resolve().parents[2]


class UnknownDatasetError(UserInputError, ValueError):
    """The dataset name is not in ``DATASETS``."""


class TooFewImagesError(UserInputError, ValueError):
    """A part holds fewer images than were asked for."""


class DatasetNotPreparedError(UserInputError, FileNotFoundError):
    """A real dataset's folders are missing or empty; the message says how to make them."""


def _frozen(d: Mapping) -> Mapping:
    return MappingProxyType(dict(d))


@dataclass(frozen=True, eq=False)
class DatasetSpec:
    """How one dataset group is obtained and preprocessed.

    Attributes:
        name: registry key, also the folder name under ROOT.
        title: human-readable name.
        builtin: True for ``synthetic`` (made on the fly, nothing to prepare).
        background_colour: (r, g, b) 0-255 that transparent pixels and padding become.
        square: part -> ``"crop"`` (centre crop) or ``"pad"`` (pad with the colour).
        blur: part -> Gaussian blur sigma in pixels at 128 x 128 (scaled with the
            image size), applied by ``prepare``; 0 = none.
        thesis_counts: part -> number of images the thesis used (None for synthetic).
        sources: part -> where the thesis got the images (thesis 6.2.3).
        shared: part -> name of another dataset that uses the same images.
        recipe: path of the recipe relative to the repository, e.g.
            ``datasets/pokemon.md`` (None for synthetic).
        thesis_section: where the thesis describes the dataset.
    """

    name: str
    title: str
    builtin: bool = False
    background_colour: tuple[int, int, int] = (0, 0, 0)
    square: Mapping[str, str] = field(default_factory=lambda: _frozen(dict.fromkeys(PARTS, "crop")))
    blur: Mapping[str, float] = field(default_factory=lambda: _frozen(dict.fromkeys(PARTS, 0.0)))
    thesis_counts: Mapping[str, int] | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    shared: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    recipe: str | None = None
    thesis_section: str = ""

    @property
    def recipe_path(self) -> Path | None:
        """Absolute path of the recipe in this checkout, or None if not present."""
        if self.recipe is None:
            return None
        p = _REPO_ROOT / self.recipe
        return p if p.exists() else None

    def how_to_prepare(self, root=None) -> str:
        """Step-by-step instructions to obtain and prepare this dataset."""
        if self.builtin:
            return f"'{self.name}' is built in: nothing to download or prepare."
        root = data_root(root)
        lines = [
            f"It cannot be downloaded automatically (thesis {self.thesis_section}). To get it:",
            "  1. Download the raw images:",
        ]
        for part in PARTS:
            count = f" (thesis: {self.thesis_counts[part]} images)" if self.thesis_counts else ""
            shared = (
                f" [same images as {self.shared[part]!r}/{part}]" if part in self.shared else ""
            )
            lines.append(f"     - {part}{count}{shared}: {self.sources.get(part, '?')}")
        lines += [
            "  2. Put them in SOURCE/foreground/, SOURCE/background/ and SOURCE/combined/ "
            "(any file names and subfolders).",
            f"  3. Run: python -m mitlgan.data prepare {self.name} --source SOURCE --root {root}",
            f"  Details: {self.recipe} in the mitlgan repository. For an offline run use "
            "the built-in dataset 'synthetic'.",
        ]
        return "\n".join(lines)


def _thesis_dataset(name, title, section, *, counts, sources, **options) -> DatasetSpec:
    """A dataset of the thesis; ``counts`` and ``sources`` are (foreground, background,
    combined), and dict ``options`` (square, blur, shared) are frozen."""
    frozen = {k: _frozen(v) if isinstance(v, dict) else v for k, v in options.items()}
    return DatasetSpec(name=name, title=title, thesis_section=section,
                       thesis_counts=_frozen(dict(zip(PARTS, counts))),
                       sources=_frozen(dict(zip(PARTS, sources))),
                       recipe=f"datasets/{name}.md", **frozen)


_SHARED_BACKGROUND = (
    "anime and nature scenes with no face (or faces only in the distance), gathered from "
    "Kaggle and Google Images searches; mostly nature-like images so that they resemble "
    "each other"
)

DATASETS: Mapping[str, DatasetSpec] = MappingProxyType(
    {
        "synthetic": DatasetSpec(
            name="synthetic",
            title="Synthetic sprites and landscapes (built in, offline)",
            builtin=True,
            sources=_frozen(
                {
                    "foreground": "mitlgan.data.synthetic_scenes: sprite-like creatures on black",
                    "background": "mitlgan.data.synthetic_scenes: landscape-like scenes",
                    "combined": "mitlgan.data.synthetic_scenes: other sprites composited onto "
                    "other landscapes",
                }
            ),
        ),
        "pokemon": _thesis_dataset(
            "pokemon", "Pokemon sprites, backgrounds, pokemon card art", "6.2.3.2",
            counts=(1758, 2534, 2094),
            sources=(
                "a Kaggle dataset of pokemon images on a one-colour background, composited "
                "onto black",
                _SHARED_BACKGROUND,
                "pokemon card images from Kaggle, the art cropped to a square (pokemon mostly "
                "centred) and resized; cards where the pokemon is cut off or the art style "
                "differs removed",
            ),
            background_colour=(0, 0, 0),
            square={"foreground": "pad", "background": "crop", "combined": "crop"},
            shared={"background": "anime"},
        ),
        "anime": _thesis_dataset(
            "anime", "Anime faces on white, backgrounds, anime faces with backgrounds", "6.2.3.1",
            counts=(2115, 2534, 2105),
            sources=(
                "a Kaggle anime-face dataset whose backgrounds are all white",
                _SHARED_BACKGROUND,
                "a Kaggle anime-face dataset whose faces have real (non-white), if simple, "
                "backgrounds",
            ),
            background_colour=(255, 255, 255),
            shared={"background": "pokemon"},
        ),
        "faces": _thesis_dataset(
            "faces", "Real faces on plain backgrounds, blurred landscapes, faces in scenes",
            "6.2.3.3",
            counts=(4884, 2520, 2505),
            sources=(
                "a Kaggle face-photo dataset shot on plain green and brown backgrounds, "
                "several expressions per person",
                "Kaggle datasets of landscapes and buildings, blurred like the out-of-focus "
                "background of a portrait",
                "a Kaggle dataset of faces photographed outdoors or in buildings",
            ),
            background_colour=(255, 255, 255),
            blur={"foreground": 0.0, "background": 1.5, "combined": 0.0},
        ),
    }
)


def data_root(root=None) -> Path:
    """``root``, else ``$MITLGAN_DATA_ROOT``, else ``./data``."""
    if root is not None:
        return Path(root)
    return Path(os.environ.get("MITLGAN_DATA_ROOT") or "data")


def get_dataset(name: str) -> DatasetSpec:
    """The spec of ``name``; raises ``UnknownDatasetError`` listing the known names."""
    if isinstance(name, str) and name in DATASETS:
        return DATASETS[name]
    raise UnknownDatasetError(f"Unknown dataset {name!r}. Known datasets: {', '.join(DATASETS)}.")


def _has_image(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(
            e.is_file() and os.path.splitext(e.name)[1].lower() in IMAGE_EXTENSIONS for e in entries
        )


def check_dataset(name: str, root=None) -> DatasetSpec:
    """Check that ``name`` is known and, for a real dataset, prepared; load nothing.

    Cheap (a directory listing per part), so a CLI can validate before creating outputs.

    Returns:
        The ``DatasetSpec``.

    Raises:
        UnknownDatasetError: ``name`` is not in ``DATASETS``.
        DatasetNotPreparedError: a part folder under ``ROOT/NAME/`` is missing or holds
            no image; the message says how to obtain and prepare the dataset.
    """
    spec = get_dataset(name)
    if spec.builtin:
        return spec
    base = data_root(root) / spec.name
    problems = []
    for part in PARTS:
        folder = base / part
        if not folder.is_dir():
            problems.append(f"{folder} (missing)")
        elif not _has_image(folder):
            problems.append(f"{folder} (no images)")
    if problems:
        raise DatasetNotPreparedError(
            f"Dataset {spec.name!r} is not prepared under {data_root(root)}: "
            f"{'; '.join(problems)}.\n{spec.how_to_prepare(root)}"
        )
    return spec


def load_parts(
    name: str,
    root=None,
    image_size: int = 128,
    n: int | None = None,
    seed: int = 0,
    augment=False,
    skip_corrupt: bool = False,
    at_most: bool = False,
) -> dict[str, np.ndarray]:
    """The three parts of a dataset as arrays.

    Args:
        name: a key of ``DATASETS``.
        root: data root for real datasets (default ``$MITLGAN_DATA_ROOT`` or ``./data``).
        image_size: side S of the returned images.
        n: images per part. ``synthetic``: how many to generate (None: 512). Real
            datasets: a random subset of n (drawn with ``seed``); None reads all. Asking
            for more than a part holds is an error.
        seed: seed of the synthetic set, of the subset, and of the augmentation.
        augment: False; True (one augmented copy per image, thesis 6.2.2); or an int k
            (k copies), via ``augment_array`` and ``build_augmenter``. Each part grows
            from N to N * (1 + k) images: the originals first.
        skip_corrupt: real datasets: skip undecodable files (each part's read and
            skipped counts are printed) instead of raising ``ImageReadError``.
        at_most: ``n`` is an upper bound: a real part with fewer images gives all it
            has (the caller says so) instead of raising ``TooFewImagesError``.

    Returns:
        dict with keys ``foreground``, ``background``, ``combined``: float32
        (N, S, S, 3) in [-1, 1] (N may differ between parts for real datasets).

    Raises:
        UnknownDatasetError, DatasetNotPreparedError: see ``check_dataset``.
        TooFewImagesError: ``n`` is larger than a part (a ``ValueError``) and
            ``at_most`` is False.
    """
    spec = check_dataset(name, root)
    copies = int(augment) if not isinstance(augment, bool) else (1 if augment else 0)
    if copies < 0:
        raise ValueError(f"augment must be a bool or a non-negative int, got {augment!r}")
    if n is not None and (not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"n must be a positive int or None, got {n!r}")
    if spec.builtin:
        scenes = synthetic_scenes(DEFAULT_SYNTHETIC_N if n is None else n, image_size, seed)
        parts = {p: scenes[p] for p in PARTS}
    else:
        parts = {}
        base = data_root(root) / spec.name
        for part in PARTS:
            images = load_image_array(
                base / part,
                image_size,
                square=spec.square[part],
                background=spec.background_colour,
                limit=None if skip_corrupt else n,  # the subset is drawn from readable files
                seed=seed,
                verbose=skip_corrupt,  # the summary line counts what was skipped
                skip_corrupt=skip_corrupt,
            )
            if skip_corrupt and n is not None and len(images) > n:
                keep = np.random.default_rng(seed).choice(len(images), n, replace=False)
                images = images[np.sort(keep)]
            if n is not None and len(images) < n and not at_most:
                raise TooFewImagesError(
                    f"{base / part} has {len(images)} images but n={n} were asked for; pass "
                    f"n <= {len(images)} or n=None for all."
                )
            parts[part] = images
    if copies:
        from mitlgan.data.augment import augment_array, build_augmenter

        for i, part in enumerate(PARTS):
            parts[part] = augment_array(parts[part], copies, build_augmenter(seed=seed * 10 + i))
    return {p: np.ascontiguousarray(a, dtype=np.float32) for p, a in parts.items()}


def stream_parts(name: str, root=None, image_size: int = 128, n: int | None = None,
                 seed: int = 0, at_most: bool = False) -> dict:
    """The three parts of a prepared real dataset as :class:`~mitlgan.data.stream.ImageFiles`:
    the images ``load_parts`` would load (same files, order and decoding), unread.
    ``at_most``: as :func:`load_parts`'s.

    Raises:
        UnknownDatasetError, DatasetNotPreparedError: see ``check_dataset``.
        ValueError: the built-in synthetic scenes (made in memory, nothing to stream), or
            ``n`` larger than a part (unless ``at_most``).
    """
    from mitlgan.data.stream import ImageFiles

    spec = check_dataset(name, root)
    if spec.builtin:
        raise ValueError(f"{name!r} is generated in memory; there are no files to stream.")
    parts = {}
    for part in PARTS:
        folder = data_root(root) / spec.name / part
        files = ImageFiles.from_folder(folder, image_size, limit=n, seed=seed,
                                       square=spec.square[part], background=spec.background_colour)
        if n is not None and len(files) < n and not at_most:
            raise TooFewImagesError(f"{folder} has {len(files)} images but n={n} were asked for; pass "
                             f"n <= {len(files)} or n=None for all.")
        parts[part] = files
    return parts
