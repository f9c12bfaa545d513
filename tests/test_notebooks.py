"""Every notebook in notebooks/ executes top to bottom in smoke mode, and none is
committed with outputs.

The notebooks run in a fresh Jupyter kernel (nbclient) with ``MITLGAN_NOTEBOOK_SMOKE=1``
(tiny settings), offline (no ImageNet weights), with their runs in one temporary folder:
``explore_generators`` then finds the run ``mitlgan_reproduction`` left, as a user's
would. Each notebook's last cell asserts what it must produce; this module checks the
same from outside: the run folders' tables and figures, and the images shown inline.
"""

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from reproductions import open_run

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: executed in this order (explore_generators reuses mitlgan_reproduction's run)
ORDER = ["mitlgan_reproduction", "explore_generators", "thesis_models", "mnist_gans", "dcgan",
         "zi2zi", "palindrome"]
#: the run folder each notebook writes under the output folder, and the main table's CSV
RUNS = {"mitlgan_reproduction": ("synthetic", "fid"), "mnist_gans": ("mnist_gans/mlp", None),
        "dcgan": ("dcgan/sprites", None), "zi2zi": ("zi2zi/depth", None),
        "palindrome": ("palindrome", None)}
CELL_TIMEOUT = 600


def test_the_notebook_list_is_complete():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(ORDER)


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_committed_notebooks_carry_no_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"


@pytest.fixture(scope="module")
def smoke_environment(tmp_path_factory):
    output = tmp_path_factory.mktemp("notebook_runs")
    keras_home = tmp_path_factory.mktemp("empty_keras_home")
    settings = {"MITLGAN_NOTEBOOK_SMOKE": "1", "MITLGAN_NOTEBOOK_OUTPUT": str(output),
                "MITLGAN_OFFLINE": "1", "KERAS_HOME": str(keras_home)}
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)  # the kernel inherits this process's environment
    yield output, {}
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _inline_images(notebook) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)


@pytest.mark.parametrize("name", ORDER)
def test_notebook_executes_in_smoke_mode(smoke_environment, name, tmp_path):
    output, timings = smoke_environment
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    started = time.perf_counter()
    # Any cell error raises CellExecutionError naming the cell and the traceback.
    NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    timings[name] = round(time.perf_counter() - started, 1)
    print(f"{name}: {timings[name]} s in smoke mode")
    assert _inline_images(notebook) >= 1, f"{name} showed no figure inline"
    stderr = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                     for o in c.outputs if o.get("name") == "stderr")
    assert "Traceback" not in stderr
    if name in RUNS:
        folder, headline = RUNS[name]
        result = open_run(output / folder, headline=headline)
        assert not result.table.empty
        assert result.figures and all(p.stat().st_size > 1000 for p in result.figures.values())
        smoke = json.loads((output / folder / "config.json").read_text())
        assert smoke["preset"] == "quick"
    if name == "explore_generators":  # it reused the reproduction notebook's run
        run_log = (output / "synthetic" / "run.log").read_text()
        assert run_log.count("=== ") == 2 and "done earlier, skipped" in run_log
