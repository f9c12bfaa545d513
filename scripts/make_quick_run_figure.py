"""Make the README figure docs/quick_run_samples.png from a quick reproduction run.

Runs ``python -m reproductions.mitlgan --backbone random`` into ``--run`` (the
quick preset on a CPU; an existing finished run there is reused, since the command
resumes) and copies its WGAN-versus-MITLGAN sample figure into ``docs/``. Usage::

    python scripts/make_quick_run_figure.py [--run /tmp/quickrun] [--out docs/quick_run_samples.png]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIGURE = Path("synthetic") / "evaluation" / "samples_wgan_vs_mitlgan.png"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", default="/tmp/mitlgan-quickrun", help="output folder of the run")
    parser.add_argument("--out", default=str(REPO / "docs" / "quick_run_samples.png"))
    args = parser.parse_args()

    command = [sys.executable, "-m", "reproductions.mitlgan", "--backbone", "random",
               "--preset", "quick", "--output", args.run]
    print("running:", " ".join(command), flush=True)
    status = subprocess.call(command, cwd=REPO)
    if status != 0:
        print(f"the reproduction failed with exit code {status}", file=sys.stderr)
        return status
    source = Path(args.run) / FIGURE
    if not source.is_file():
        print(f"the run finished but {source} is missing", file=sys.stderr)
        return 1
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
