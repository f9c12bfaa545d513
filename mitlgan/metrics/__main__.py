"""The scorer: ``python -m mitlgan.metrics {stats,fid,kid,is,prdc} ...``.

Inputs are image folders, ``.npz`` statistics or saved generators (``.keras`` /
SavedModel folder). What was scored goes to standard error; the number alone is the
last line of standard output (``--json``: a JSON record instead). Bad input exits 2
with the path named.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from mitlgan.errors import UserInputError

COMMANDS = {
    "stats": "write a source's feature statistics (mu, sigma, backbone, resize, N) to --out",
    "fid": "Fréchet Inception Distance between two sources",
    "kid": "Kernel Inception Distance between two sources (needs features, not bare mu/sigma)",
    "is": "Inception Score of one source (needs the FID Inception's logits layer)",
    "prdc": "precision, recall, density and coverage of B against A (A is the real set)",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mitlgan.metrics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("a", metavar="A" if name != "stats" else "SOURCE",
                         help="image folder, .npz statistics, .keras generator or SavedModel folder")
        if name in ("fid", "kid", "prdc"):
            sub.add_argument("b", metavar="B", help="the second source, as A")
        if name == "stats":
            sub.add_argument("--out", required=True, help="the .npz to write")
        sub.add_argument("--backbone", choices=("fid-inception", "keras-imagenet", "random"),
                         default=None, help="default: fid-inception if installed, else "
                                            "keras-imagenet if its file is cached")
        sub.add_argument("--resize", choices=("legacy-tf", "clean"), default="legacy-tf",
                         help="the FID Inception's resize to 299 (default legacy-tf, the original's)")
        sub.add_argument("--dtype", choices=("float32", "mixed_bfloat16"), default="float32",
                         help="the network's precision; mixed_bfloat16 pays off only on a "
                              "CPU with AVX-512 BF16 (or a GPU), and every label names it")
        sub.add_argument("--n", type=int, default=10_000,
                         help="images generated from a generator, most read from a folder")
        sub.add_argument("--seed", type=int, default=0, help="a generator's latent seed")
        sub.add_argument("--batch-size", type=int, default=32)
        sub.add_argument("--splits", type=int, default=10, help="Inception Score parts")
        sub.add_argument("--k", type=int, default=5, help="neighbours for prdc")
        sub.add_argument("--json", action="store_true", help="print a JSON record last")
        sub.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _extractor(args):
    from mitlgan.metrics.features import InceptionFeatures
    from mitlgan.metrics.scorer import default_backbone

    backbone = args.backbone or default_backbone()
    return InceptionFeatures(backbone, resize=args.resize, batch_size=args.batch_size,
                             dtype=args.dtype, verbose=0 if args.quiet else 1)


def _score(args) -> dict:
    from mitlgan.metrics.scorer import open_source

    extractor = _extractor(args)
    note = extractor.metadata["note"]
    print(f"scoring with {extractor.label}: {note}", file=sys.stderr)
    a = open_source(args.a, extractor, n=args.n, seed=args.seed)
    print(f"A: {a.description}", file=sys.stderr)
    record = {"command": args.command, "backbone": extractor.label, "a": args.a,
              "n_a": a.statistics.n if a.description.find("N unknown") < 0 else None}
    if args.command == "stats":
        path = a.statistics.save(args.out, features=a.features)
        print(f"wrote {path}", file=sys.stderr)
        return {**record, "value": str(path)}
    if args.command == "is":
        from mitlgan.metrics.inception_score import inception_score

        if a.features is None:
            raise UserInputError(f"{args.a}: the Inception Score needs images or stored features")
        mean, std = inception_score(extractor.logits_of(a.features), splits=args.splits)
        print(f"IS {mean:.4f} ± {std:.4f} ({args.splits} splits)", file=sys.stderr)
        return {**record, "value": mean, "std": std, "splits": args.splits}
    b = open_source(args.b, extractor, n=args.n, seed=args.seed)
    print(f"B: {b.description}", file=sys.stderr)
    record.update(b=args.b, n_b=b.statistics.n if "N unknown" not in b.description else None)
    if args.command == "fid":
        value = a.statistics.frechet_distance(b.statistics)
        print(f"FID {value:.4f} [{extractor.label}, N={record['n_a']} vs {record['n_b']}]",
              file=sys.stderr)
        return {**record, "value": value}
    if a.features is None or b.features is None:
        bare = args.a if a.features is None else args.b
        raise UserInputError(f"{bare}: {args.command} needs features, and this source has "
                             "only mu/sigma; give images, a generator or a stats file "
                             "written with features")
    if args.command == "kid":
        from mitlgan.metrics.kid import kernel_inception_distance

        mean, std = kernel_inception_distance(a.features, b.features, seed=args.seed)
        print(f"KID {mean:.6f} ± {std:.6f}", file=sys.stderr)
        return {**record, "value": mean, "std": std}
    from mitlgan.metrics.manifold import coverage_density, precision_recall

    precision, recall = precision_recall(a.features, b.features, k=args.k)
    density, coverage = coverage_density(a.features, b.features, k=args.k)
    values = {"precision": precision, "recall": recall, "density": density, "coverage": coverage}
    print(" ".join(f"{k} {v:.4f}" for k, v in values.items()), file=sys.stderr)
    return {**record, **values, "value": values}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        record = _score(args)
    except (UserInputError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(record, default=float))
    elif isinstance(record["value"], dict):
        print(" ".join(f"{v:.6g}" for v in record["value"].values()))
    else:
        value = record["value"]
        print(value if isinstance(value, str) or math.isnan(value) else f"{value:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
