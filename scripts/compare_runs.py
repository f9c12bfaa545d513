"""Compare two trees of run folders numerically: every CSV (``fid.csv``, ``history.csv``,
the table records...) and JSON file (``result.json``, ``claims.json``, ``done.json``, the
evaluation's results...) that both hold, cell by cell.

    python scripts/compare_runs.py BEFORE AFTER [--ignore-keys seconds,...]

Numbers are compared exactly (the difference and the largest relative difference are
printed otherwise); timing fields (seconds, memory) are left out by default, since two
runs never take the same time. Files only one side has are listed. Exit code 0 when
everything compared is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path

SUFFIXES = (".csv", ".json")
TIMING = ("seconds", "seconds_this_run", "peak_memory_mb", "seconds_per_epoch", "step_seconds",
          "wall_seconds", "environment", "s/epoch", "seconds_timed", "epochs_timed")


def _number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _compare_values(a, b, where: str, ignore, out: list) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in ignore:
                continue
            if key not in a or key not in b:
                out.append(f"{where}.{key}: only in {'after' if key in b else 'before'}")
                continue
            _compare_values(a[key], b[key], f"{where}.{key}", ignore, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{where}: {len(a)} items before, {len(b)} after")
        for index, (x, y) in enumerate(zip(a, b)):
            _compare_values(x, y, f"{where}[{index}]", ignore, out)
    else:
        x, y = _number(a), _number(b)
        if x is not None and y is not None and not isinstance(a, bool):
            if x != y and not (math.isnan(x) and math.isnan(y)):
                rel = abs(x - y) / max(abs(x), abs(y), 1e-300)
                out.append(f"{where}: {a} -> {b} (relative {rel:.2e})")
        elif a != b:
            out.append(f"{where}: {str(a)[:80]!r} -> {str(b)[:80]!r}")


def _csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def compare(before: Path, after: Path, ignore) -> tuple[list[str], int]:
    """(lines describing every difference, number of files compared)."""
    lines, compared = [], 0
    files_before = {p.relative_to(before) for p in before.rglob("*")
                    if p.is_file() and p.suffix in SUFFIXES}
    files_after = {p.relative_to(after) for p in after.rglob("*")
                   if p.is_file() and p.suffix in SUFFIXES}
    for rel in sorted(files_before ^ files_after):
        lines.append(f"{rel}: only {'after' if rel in files_after else 'before'}")
    for rel in sorted(files_before & files_after):
        compared += 1
        out: list[str] = []
        if rel.suffix == ".csv":
            a, b = _csv_rows(before / rel), _csv_rows(after / rel)
            _compare_values(a, b, "", ignore, out)
        else:
            a = json.loads((before / rel).read_text())
            b = json.loads((after / rel).read_text())
            _compare_values(a, b, "", ignore, out)
        lines += [f"{rel}{line}" for line in out]
    return lines, compared


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--ignore-keys", default=",".join(TIMING),
                        help="keys and CSV columns left out (comma-separated)")
    args = parser.parse_args(argv)
    ignore = set(filter(None, args.ignore_keys.split(",")))
    lines, compared = compare(Path(args.before), Path(args.after), ignore)
    print("\n".join(lines))
    print(f"{compared} files compared, {len(lines)} differences", file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
