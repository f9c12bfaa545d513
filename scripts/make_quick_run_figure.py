"""Make the README figures in docs/ from a quick reproduction run.

Runs ``python -m reproductions.mitlgan --preset quick`` into ``--run`` (an existing
finished run there is reused, since the command resumes) and copies its sample,
metric-curve and latent-swap figures into ``docs/quick_run_*.png``. Usage::

    python scripts/make_quick_run_figure.py [--run /tmp/mitlgan-quickrun] [--docs docs]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EVALUATION = Path("synthetic") / "evaluation"
#: figure of the run -> file in docs/
FIGURES = {
    "samples_wgan_vs_mitlgan.png": "quick_run_samples.png",
    "metric_curves.png": "quick_run_curves.png",
    "latent_swap.png": "quick_run_latent_swap.png",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", default="/tmp/mitlgan-quickrun", help="output folder of the run")
    parser.add_argument("--docs", default=str(REPO / "docs"))
    args = parser.parse_args()

    command = [sys.executable, "-m", "reproductions.mitlgan", "--preset", "quick",
               "--output", args.run]
    print("running:", " ".join(command), flush=True)
    status = subprocess.call(command, cwd=REPO)
    if status != 0:
        print(f"the reproduction failed with exit code {status}", file=sys.stderr)
        return status
    for name, target in FIGURES.items():
        source = Path(args.run) / EVALUATION / name
        if not source.is_file():
            print(f"the run finished but {source} is missing", file=sys.stderr)
            return 1
        Path(args.docs).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, Path(args.docs) / target)
        print(f"wrote {Path(args.docs) / target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
