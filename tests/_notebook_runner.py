"""Execute notebooks one after another in fresh kernels (for tests/test_notebooks.py).

``python _notebook_runner.py OUT_DIR NAME [NAME ...]`` runs ``notebooks/NAME.ipynb`` with
nbclient and writes each executed notebook to ``OUT_DIR/NAME.ipynb``, the seconds it took
to ``OUT_DIR/NAME.json`` and, when a cell fails, its error to ``OUT_DIR/NAME.error``
(then it goes on with the next notebook). Two of these run side by side so the smoke
runs fit the suite's time budget on two cores.
"""

import json
import sys
import time
import traceback
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT = 600


def main(out_dir, names):
    out_dir = Path(out_dir)
    for name in names:
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        work = out_dir / f"{name}-cwd"
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        try:
            NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                           resources={"metadata": {"path": str(work)}}).execute()
        except Exception:  # noqa: BLE001 (any cell error is reported to the test)
            (out_dir / f"{name}.error").write_text(traceback.format_exc())
        seconds = round(time.perf_counter() - started, 1)
        (out_dir / f"{name}.json").write_text(json.dumps({"seconds": seconds}))
        nbformat.write(notebook, out_dir / f"{name}.ipynb")
        print(f"{name}: {seconds} s in smoke mode", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
