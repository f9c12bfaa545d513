"""Use the package as a user who installed the wheel does: from a folder outside the
checkout, run each reproduction up to its first training stage with tiny settings, then
load every generator that stage saved and run it once.

Run by ``.ci/run`` with the Python of a virtual environment where the wheel (not the
checkout) is installed, from an empty folder::

    cd "$(mktemp -d)" && /path/to/wheel-venv/bin/python /path/to/scripts/wheel_smoke.py

Fails (exit 1) if ``mitlgan`` or ``reproductions`` is imported from the checkout, if a
data file the package needs (the embedded digits and their NOTICE) is not in the
installed package, if a command fails, or if a saved generator cannot be loaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
#: reproduction -> its first training stage (run with the notebooks' tiny settings)
FIRST_TRAINING_STAGE = {
    "mitlgan": "wgan_combined",
    "mnist_gans": "train",
    "dcgan": "train",
    "zi2zi": "base",
    "palindrome": "runs",
}

#: fewer runs than the notebooks' settings where one shows the same (CI's time)
SMALLER = {"palindrome": {"lengths": [5], "learning_rates": [1e-2]}}


def _installed_outside_checkout() -> None:
    import mitlgan
    import reproductions

    for module in (mitlgan, reproductions):
        where = Path(module.__file__).resolve()
        if CHECKOUT in where.parents:
            raise SystemExit(f"{module.__name__} was imported from the checkout ({where}), not "
                             "from the installed wheel")
    embedded = Path(mitlgan.__file__).parent / "data" / "embedded"
    for name in ("NOTICE.md",):
        if not (embedded / name).is_file():
            raise SystemExit(f"the wheel lacks mitlgan/data/embedded/{name}")
    if not list(embedded.glob("*.npz")):
        raise SystemExit("the wheel lacks the embedded MNIST digits (mitlgan/data/embedded/*.npz)")
    print(f"mitlgan from {Path(mitlgan.__file__).parent}")


def _argv(name: str) -> list[str]:
    """The command-line flags of the notebooks' tiny settings for ``name``'s default study."""
    import importlib

    from reproductions.notebook import SMOKE_SETTINGS
    from reproductions.runner.engine import flag_table

    run = importlib.import_module(f"reproductions.{name}.run")
    reproduction = (run.REPRODUCTION if hasattr(run, "REPRODUCTION")
                    else run.reproduction_for({"mnist_gans": "mlp", "zi2zi": "style"}.get(name)))
    settings = {**SMOKE_SETTINGS[name], **SMALLER.get(name, {})}
    return flag_table(reproduction).argv_for(settings)


def _load_generators(run_dir: Path) -> int:
    """Load every ``generator.keras`` under ``run_dir`` and run it on zeros."""
    import keras
    import numpy as np

    import mitlgan  # noqa: F401 - registers the package's layers for loading
    from mitlgan.artifacts import GENERATOR_FILE

    loaded = 0
    for path in sorted(run_dir.rglob(GENERATOR_FILE)):
        model = keras.saving.load_model(path)
        inputs = [np.zeros((2, *tensor.shape[1:]), tensor.dtype) for tensor in model.inputs]
        output = keras.ops.convert_to_numpy(model(inputs if len(inputs) > 1 else inputs[0]))
        if not np.all(np.isfinite(output)):
            raise SystemExit(f"{path} gives non-finite outputs")
        loaded += 1
    return loaded


def main() -> int:
    _installed_outside_checkout()
    output = Path.cwd() / "runs"
    env = {**os.environ, "CI": "true"}
    for name, stage in FIRST_TRAINING_STAGE.items():
        argv = [sys.executable, "-m", f"reproductions.{name}", *_argv(name),
                "--until", stage, "--output", str(output / name)]
        started = time.perf_counter()
        result = subprocess.run(argv, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
            raise SystemExit(f"{' '.join(argv[2:])} exited with {result.returncode}")
        generators = _load_generators(output / name)
        print(f"{name}: --until {stage} in {time.perf_counter() - started:.0f} s; "
              f"{generators} generator(s) under {output / name} load and run")
        if name != "palindrome" and generators == 0:  # the palindrome RNNs save no generator
            raise SystemExit(f"{name} saved no {stage} generator")
    print("wheel smoke: every reproduction ran from the installed wheel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
