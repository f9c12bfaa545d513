"""Every notebook in notebooks/ executes top to bottom in smoke mode, and none is
committed with outputs.

The notebooks run in fresh Jupyter kernels (nbclient, ``tests/_notebook_runner.py``,
two chains side by side) with ``MITLGAN_NOTEBOOK_SMOKE=1`` (tiny settings), offline (no
ImageNet weights), with their runs in one temporary folder: ``explore_generators`` then
finds the run ``mitlgan_reproduction`` left, as a user's would. Each notebook's last cell asserts what it must produce; this module checks the
same from outside: the run folders' tables and figures, and the images shown inline.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reproductions import open_run

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
#: executed in this order (explore_generators reuses mitlgan_reproduction's run)
ORDER = ["mitlgan_reproduction", "explore_generators", "thesis_models", "mnist_gans", "dcgan",
         "zi2zi", "palindrome"]
#: the run folder each notebook writes under the output folder, and the main table's CSV
RUNS = {"mitlgan_reproduction": ("synthetic", "fid"), "mnist_gans": ("mnist_gans/mlp", None),
        "dcgan": ("dcgan/sprites", None), "zi2zi": ("zi2zi/depth", None),
        "palindrome": ("palindrome", None)}


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


#: two chains executed side by side; explore_generators follows mitlgan_reproduction
CHAINS = [["mitlgan_reproduction", "explore_generators", "thesis_models", "palindrome"],
          ["zi2zi", "mnist_gans", "dcgan"]]
RUNNER = Path(__file__).with_name("_notebook_runner.py")
TIMEOUT = 1200


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Run every notebook once in smoke mode; returns (runs folder, executed folder)."""
    output = tmp_path_factory.mktemp("notebook_runs")
    executed_dir = tmp_path_factory.mktemp("executed")
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update(MITLGAN_NOTEBOOK_SMOKE="1", MITLGAN_NOTEBOOK_OUTPUT=str(output),
               MITLGAN_OFFLINE="1", KERAS_HOME=str(tmp_path_factory.mktemp("empty_keras")))
    chains = [subprocess.Popen([sys.executable, str(RUNNER), str(executed_dir), *chain], env=env)
              for chain in CHAINS]
    try:
        for chain in chains:
            chain.wait(timeout=TIMEOUT)
    finally:
        for chain in chains:
            if chain.poll() is None:
                chain.kill()
                chain.wait()
    return output, executed_dir


def _inline_images(notebook) -> int:
    return sum("image/png" in output.get("data", {})
               for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)


def test_the_chains_cover_every_notebook():
    assert sorted(name for chain in CHAINS for name in chain) == sorted(ORDER)


@pytest.mark.parametrize("name", ORDER)
def test_notebook_executes_in_smoke_mode(executed, name):
    output, executed_dir = executed
    error = executed_dir / f"{name}.error"
    assert not error.exists(), error.read_text()
    notebook = nbformat.read(executed_dir / f"{name}.ipynb", as_version=4)
    print(f"{name}: {json.loads((executed_dir / f'{name}.json').read_text())['seconds']} s")
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
