"""The experiment runner every reproduction shares, and its public names.

An experiment (``reproductions/NAME/``) imports what it needs from here; the modules
behind these names are the runner's own rooms:

- ``engine``: :class:`Reproduction`, :class:`Stage`, :class:`RunContext`, the run
  folder, ``config.json``, ``done.json``, ``--until``, ``run.log`` and :func:`say`;
- ``entry``: :func:`entry_points`, a reproduction's ``prepare``, ``main`` and
  ``reproduce`` in one line; ``api``: the Python API and :func:`open_run`;
- ``claims``: the ``claims.json`` every report writes; ``repeats``: seeded repeats;
- ``records``: a report's tables (CSV) and figures (JSON), which renderers
  write and readers read; ``settings``: :class:`Settings`, the base of a
  reproduction's typed, frozen settings;
- ``flags``, ``arguments``: the flag table and flag types; ``errors``:
  :class:`UsageError`; ``environment``: the environment block; ``lock``, ``quiet``,
  ``workers``, ``stage_notes``: one process per folder, TensorFlow's chatter, multi-worker
  folders, and what a stage's training calls learnt about themselves;
- ``report`` (not re-exported: it imports matplotlib): figure and Markdown helpers.

Importing this package imports neither TensorFlow nor Keras.
"""

from reproductions.runner.api import RunResult, open_run
from reproductions.runner.claims import (
    CLAIMS_FILE,
    DOCUMENTS,
    UNTESTED,
    Claim,
    claims_from_rows,
    read_claim_rows,
    untested,
    write_claims,
)
from reproductions.runner.engine import (
    CONFIG_FILE,
    DONE_FILE,
    REPORT_FILE,
    Reproduction,
    RunContext,
    Stage,
    keras_verbosity,
    say,
)
from reproductions.runner.entry import entry_points
from reproductions.runner.environment import environment_lines
from reproductions.runner.errors import UsageError
from reproductions.runner.records import (
    TableRecords,
    read_table,
    read_tables,
)
from reproductions.runner.repeats import (
    RESULT_FILE,
    run_once,
    seed_folder,
    seed_folders,
    seeded_repeats,
    stage_seed,
)
from reproductions.runner.settings import Settings

__all__ = [
    "CLAIMS_FILE", "CONFIG_FILE", "DOCUMENTS", "DONE_FILE", "REPORT_FILE", "RESULT_FILE",
    "UNTESTED", "Claim", "Reproduction", "RunContext", "RunResult", "Settings", "Stage", "UsageError",
    "claims_from_rows", "entry_points", "environment_lines", "keras_verbosity", "open_run", "read_claim_rows",
    "TableRecords", "read_table", "read_tables", "run_once", "say",
    "seed_folder", "seed_folders", "seeded_repeats", "stage_seed", "untested",
    "write_claims",
]
