"""The Python API of the reproductions: ``reproductions.NAME.reproduce(...)``.

A notebook never shells out. ``reproduce`` turns its keyword arguments into the very
flags the command line takes (``image_size=16`` -> ``--image-size 16``), validates them
with the same parser and runs the same :func:`reproductions.runner.engine.prepare` and
:func:`reproductions.runner.engine.run`; so the API and ``python -m reproductions.NAME``
write the same run folder for the same settings (tested), and a second call resumes.
The returned :class:`RunResult` reads what the run wrote: the report's table records as
``pandas.DataFrame``, its claims, its figures, and the saved generators (never by
parsing ``report.md``).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mitlgan.artifacts import GENERATOR_FILE, SAVEDMODEL_DIR
from reproductions.runner import engine as _runner
from reproductions.runner.claims import CLAIMS_FILE
from reproductions.runner.engine import CONFIG_FILE, REPORT_FILE, Reproduction
from reproductions.runner.errors import UsageError
from reproductions.runner.records import (
    TABLES_DIR,
    read_figures,
    read_table,
    read_tables,
    table_names,
)


@dataclass
class RunResult:
    """What a finished (or ``until``-stopped) run left in its folder.

    Attributes:
        run_dir: the run folder (``OUTPUT/...``), holding ``config.json`` and ``report.md``.
        config: the resolved configuration (``config.json``).
        headline: the CSV (stem, e.g. ``"fid"``) that :attr:`table` returns; ``None``:
            the report's first table.
    """

    run_dir: Path
    config: dict
    headline: str | None = None
    _generators: dict = field(default_factory=dict, repr=False)

    @property
    def report(self) -> Path | None:
        """``report.md``, or None when the run stopped before writing it."""
        path = self.run_dir / REPORT_FILE
        return path if path.is_file() else None

    @property
    def tables(self) -> dict:
        """``{name: DataFrame}``: each CSV at the top of the run folder by its stem
        (``fid``, ``curves``...), then each table the report shows, from its record
        ``tables/NAME.csv``, in the report's order. Cells stay text unless a whole
        column is numeric. Read from the records, never from ``report.md``."""
        return read_tables(self.run_dir)

    @property
    def table(self):
        """The run's main table as a DataFrame (the FID table of the MITLGAN run, the
        report's first table elsewhere). Raises ``FileNotFoundError`` before the report."""
        if self.headline is not None and (self.run_dir / f"{self.headline}.csv").is_file():
            return self.tables[self.headline]
        names = table_names(self.run_dir)
        if not names:
            raise FileNotFoundError(
                f"{self.run_dir} has no report table yet: the run stopped before its report "
                "stage. Call reproduce(...) again without `until` to finish it.")
        return read_table(self.run_dir / TABLES_DIR / f"{names[0]}.csv")

    @property
    def claims(self):
        """The run's claims (``claims.json``) as a DataFrame, one row per claim
        (``id``, ``document``, ``claim``, ``verdict``, ``numbers``); empty before the
        report."""
        import pandas as pd

        path = self.run_dir / CLAIMS_FILE
        if not path.is_file():
            return pd.DataFrame(columns=["id", "document", "claim", "verdict", "numbers"])
        return pd.DataFrame(json.loads(path.read_text())["claims"])

    @property
    def figures(self) -> dict:
        """``{relative path: Path}`` of every PNG the report shows, in the report's order
        (its record ``figures.json``)."""
        return read_figures(self.run_dir)

    @property
    def generator_paths(self) -> dict:
        """``{stage folder: Path}`` of every saved ``generator.keras`` in the run."""
        return {path.parent.relative_to(self.run_dir).as_posix(): path
                for path in sorted(self.run_dir.rglob(GENERATOR_FILE))}

    @property
    def savedmodel_paths(self) -> dict:
        """``{stage folder: Path}`` of every exported generator SavedModel in the run."""
        return {path.parent.parent.relative_to(self.run_dir).as_posix(): path.parent
                for path in sorted(self.run_dir.rglob(f"{SAVEDMODEL_DIR}/saved_model.pb"))}

    @property
    def generators(self) -> dict:
        """``{stage folder: keras.Model}``: the saved generators, loaded on first access."""
        if not self._generators:
            import keras

            import mitlgan  # noqa: F401  (registers the package's layers for loading)

            for stage, path in self.generator_paths.items():
                self._generators[stage] = keras.saving.load_model(path)
        return self._generators


def open_run(run_dir, headline: str | None = None) -> RunResult:
    """The :class:`RunResult` of an existing run folder (one on Google Drive, say).

    Args:
        run_dir: a folder a reproduction wrote (it holds ``config.json``).
        headline: the CSV stem :attr:`RunResult.table` returns (``"fid"`` for a MITLGAN
            run; None: the report's first table).

    Raises:
        FileNotFoundError: ``run_dir`` holds no run; the message says what was expected.
    """
    run_dir = Path(run_dir)
    config_path = run_dir / CONFIG_FILE
    if not config_path.is_file():
        raise FileNotFoundError(
            f"{run_dir} is not a run folder (no {CONFIG_FILE}); give the folder a "
            "reproduction wrote, e.g. runs/synthetic for the MITLGAN experiment.")
    return RunResult(run_dir, json.loads(config_path.read_text()), headline)


def reproduce(select: Callable[[list[str]], Reproduction], keywords: dict,
              headline: str | None = None) -> RunResult:
    """Run (or resume) a reproduction from keyword settings; see the module docstring.

    Args:
        select: ``argv -> Reproduction`` (a study or benchmark flag can change the stages).
        keywords: the settings, each a command-line flag by its Python name
            (:func:`arguments_from_keywords`):

            - ``preset``: ``"auto"`` (the full setting with a GPU, else quick) or a name;
            - ``output``: the folder runs go under (a Google Drive folder keeps them across
              Colab disconnects); calling again with the same settings resumes there;
            - ``seed``, ``restart=True`` (delete the run and start over), ``until="STAGE"``
              (stop after it), and the reproduction's own flags (``epochs=3``,
              ``lengths=[5, 20]``; ``python -m reproductions.NAME --help`` lists them).
        headline: the CSV stem :attr:`RunResult.table` returns (None: the first report table).

    Returns:
        :class:`RunResult` of the run folder.

    Raises:
        UsageError: bad settings (the message names the setting and what is allowed);
            nothing has been written then.
        KeyboardInterrupt: the run was interrupted; calling again resumes it.
    """
    argv = build_argv(select, keywords)
    reproduction = select(argv)
    args, config, run_dir = _prepare(reproduction, argv)
    code = _runner.run(reproduction, args, config, run_dir, argv)
    if code == 130:
        raise KeyboardInterrupt(f"interrupted; call again with the same settings to resume "
                                f"{run_dir}")
    if code != 0:
        raise RuntimeError(f"the run in {run_dir} ended with code {code}; see {run_dir}/run.log")
    return open_run(run_dir, headline)


def build_argv(select: Callable[[list[str]], Reproduction], keywords: dict) -> list[str]:
    """The command-line flags for ``keywords`` (two passes: a study or benchmark flag
    decides which reproduction, and so which flags, the rest belongs to)."""
    default = _runner.flag_table(select([]))
    known = default.by_dest()
    first = default.argv_for({k: v for k, v in keywords.items() if k in known})
    return _runner.flag_table(select(first)).argv_for(keywords)


def _prepare(reproduction: Reproduction, argv: list[str]):
    """The runner's ``prepare``; argparse's exit on a bad value becomes a UsageError
    carrying argparse's message (a notebook must not exit its kernel)."""
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            prepared = _runner.prepare(reproduction, argv)
    except SystemExit as exit_:
        message = errors.getvalue().strip().splitlines()
        raise UsageError(message[-1] if message else f"invalid settings {argv}") from exit_
    sys.stderr.write(errors.getvalue())  # warnings printed while preparing still show
    return prepared
