"""A full disk loses nothing: a write that fails (here: a file-size limit on the
process, RLIMIT_FSIZE, which fails writes with EFBIG as a full disk fails them with
ENOSPC) leaves the previous checkpoint, history.csv and JSON intact, the run ends with
a message naming the file, and a rerun after space is freed resumes."""

import errno
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from mitlgan.files import disk_full, write_atomic

HERE = Path(__file__).parent
LIMIT = 256 * 1024  # bytes: room for CSV and JSON, not for a checkpoint's state.npz

TRAIN = """
import sys
sys.path.insert(0, {here!r})
from _gan_helpers import resume_gan, tiny_images
from mitlgan.training import train
train(resume_gan(), tiny_images(16), batch_size=8, epochs=int(sys.argv[1]), every=1,
      checkpoint_dir=sys.argv[2] + "/checkpoints", history_csv=sys.argv[2] + "/history.csv",
      seed=4, verbose=0)
"""


def _limited(limit):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _python(code, *argv, limit=None):
    return subprocess.run([sys.executable, "-c", code, *map(str, argv)], capture_output=True,
                          text=True, preexec_fn=_limited(limit) if limit else None,
                          env={**os.environ, "CI": "true"}, timeout=300)


def test_write_atomic_keeps_the_old_file_and_names_the_path(tmp_path):
    target = tmp_path / "history.csv"
    write_atomic(target, "epoch\n1\n")
    code = ("import sys; from mitlgan.files import write_atomic\n"
            "try:\n write_atomic(sys.argv[1], 'x' * 100000)\n"
            "except OSError as err:\n print(err.errno, err.filename)")
    result = _python(code, target, limit=4096)
    number, name = result.stdout.split()
    assert int(number) == errno.EFBIG and name == str(target)
    assert target.read_text() == "epoch\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["history.csv"]  # no temporary left
    assert disk_full(OSError(errno.ENOSPC, "No space left on device")) is not None
    assert disk_full(ValueError("no")) is None


def test_a_failed_checkpoint_write_keeps_the_last_one_and_a_rerun_resumes(tmp_path):
    code = TRAIN.format(here=str(HERE))
    first = _python(code, 1, tmp_path)
    assert first.returncode == 0, first.stderr
    history = (tmp_path / "history.csv").read_text()
    state = (tmp_path / "checkpoints" / "ckpt-000001" / "state.npz").stat().st_size
    full = _python(code, 2, tmp_path, limit=state // 2)  # CSV rows fit, a checkpoint does not
    assert full.returncode != 0 and "ckpt-000002" in full.stderr  # the error names it
    checkpoints = sorted(p.name for p in (tmp_path / "checkpoints").iterdir())
    assert checkpoints == ["ckpt-000001"]  # intact, no temporary folder left
    rows = (tmp_path / "history.csv").read_text().splitlines()
    assert rows[:2] == history.splitlines()[:2]  # epoch 1 kept whole
    again = _python(code, 2, tmp_path)
    assert again.returncode == 0, again.stderr
    epochs = [row.split(",")[0] for row in (tmp_path / "history.csv").read_text().splitlines()[1:]]
    assert epochs == ["1", "2"]


def test_a_reproduction_on_a_full_disk_exits_2_naming_the_file_and_resumes(tmp_path):
    toy = HERE / "fixtures" / "toy_reproduction.py"
    argv = [sys.executable, str(toy), "--preset", "quick", "--n", "1000", "--output",
            str(tmp_path)]
    env = {**os.environ, "CI": "true"}
    full = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120,
                          preexec_fn=_limited(2048))  # numbers.txt needs 3,893 bytes
    assert full.returncode == 2, full.stderr
    assert "Traceback" not in full.stderr and "disk is full" in full.stderr
    numbers = tmp_path / "toy" / "count" / "numbers.txt"
    assert str(numbers) in full.stderr and "kept" in full.stderr
    assert not numbers.exists() and not (tmp_path / "toy" / "count" / "done.json").exists()
    again = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    total = json.loads((tmp_path / "toy" / "total" / "total.json").read_text())
    assert total == {"total": 1000 * 1001 // 2}
