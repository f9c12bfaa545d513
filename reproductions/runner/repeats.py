"""Seeded repeats and finished-once results: how a stage trains one thing per seed (or
per grid point), keeps what finished, and redoes only what did not.

A unit of work is finished when its result file exists (written atomically, last), so
a rerun after a crash reads it back instead of training again. Seeds are derived from
the run's ``--seed`` in one documented way, which keeps every reproduction's results
as they were:

- :func:`repeat_seed` (``seed * 100 + index``): repeat ``index`` of a variant
  (the MNIST ablations, the zi2zi variants), in ``STAGE/seed_INDEX/``;
- :func:`stage_seed` (``seed * 1000 + position``): the stage at ``position`` of an
  experiment whose stages each train a different network (the MITLGAN's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from mitlgan.files import write_json_atomic

RESULT_FILE = "result.json"
REPEAT_STRIDE = 100
STAGE_STRIDE = 1000


def repeat_seed(seed: int, index: int) -> int:
    """The seed of repeat ``index`` (0-based, < 100) of a run with ``--seed seed``."""
    return seed * REPEAT_STRIDE + index


def stage_seed(seed: int, position: int) -> int:
    """The seed of the stage at ``position`` (0-based, < 1000) of a run with ``--seed seed``."""
    return seed * STAGE_STRIDE + position


def seed_folder(stage_dir: Path, index: int) -> Path:
    """``STAGE/seed_INDEX``: where repeat ``index`` of a stage writes."""
    return Path(stage_dir) / f"seed_{index}"


def seed_folders(stage_dir: Path) -> list[Path]:
    """The repeat folders of a stage that hold a finished result, in index order."""
    found = [p.parent for p in Path(stage_dir).glob(f"seed_*/{RESULT_FILE}")]
    return sorted(found, key=lambda p: int(p.name.split("_", 1)[1]))


def run_once(path: Path, compute: Callable[[], dict]) -> tuple[dict, bool]:
    """``(result, done_earlier)``: the JSON at ``path`` if a finished run left it, else
    ``compute()``, written to ``path`` last (atomically) so that it marks the work done."""
    path = Path(path)
    if path.is_file():
        return json.loads(path.read_text()), True
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, result)
    return result, False


def seeded_repeats(stage_dir: Path, repeats: int, seed: int,
                   train: Callable[[Path, int], dict],
                   on_result: Callable[[int, int, dict, bool], None] | None = None) -> list[dict]:
    """Run ``train(folder, seed)`` once per repeat, keeping finished repeats.

    Args:
        stage_dir: the stage's folder; repeat ``i`` works in :func:`seed_folder`.
        repeats: how many (the ``--seeds`` flag).
        seed: the run's ``--seed``; repeat ``i`` gets :func:`repeat_seed`.
        train: trains one repeat in its folder and returns its JSON-able result.
        on_result: ``(index, seed, result, done_earlier) -> None``, e.g. a progress line.

    Returns:
        The results, in repeat order; each is also in ``seed_I/result.json``.
    """
    results = []
    for index in range(repeats):
        folder, derived = seed_folder(stage_dir, index), repeat_seed(seed, index)
        result, earlier = run_once(folder / RESULT_FILE,
                                   lambda folder=folder, derived=derived: train(folder, derived))
        if on_result is not None:
            on_result(index, derived, result, earlier)
        results.append(result)
    return results
