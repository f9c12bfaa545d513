"""The Python API of the reproductions: ``reproductions.NAME.reproduce(...)``.

A notebook never shells out. ``reproduce`` turns its keyword arguments into the very
flags the command line takes (``image_size=16`` -> ``--image-size 16``), validates them
with the same parser and runs the same :func:`reproductions._runner.prepare` and
:func:`reproductions._runner.run`; so the API and ``python -m reproductions.NAME``
write the same run folder for the same settings (tested), and a second call resumes.
The returned :class:`RunResult` reads what the run wrote: the report's tables as
``pandas.DataFrame``, its figures, and the saved generators.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mitlgan.artifacts import GENERATOR_FILE, SAVEDMODEL_DIR
from reproductions import _runner
from reproductions._errors import UsageError
from reproductions._runner import CONFIG_FILE, REPORT_FILE, Reproduction

_TABLE_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+\s*$")
_FIGURE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)")


def parse_markdown_tables(text: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """The Markdown tables of ``text`` (as :func:`reproductions._report.markdown_table`
    writes them) with the heading each stands under.

    Returns:
        A list of (heading without ``#``, header cells, rows of cells), in order.
    """
    lines = text.splitlines()
    tables, heading, index = [], "", 0
    while index < len(lines):
        line = lines[index].strip()
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        elif (line.startswith("|") and index + 1 < len(lines)
              and _TABLE_SEPARATOR.match(lines[index + 1].strip())):
            header = _cells(line)
            rows, index = [], index + 2
            while index < len(lines) and lines[index].strip().startswith("|"):
                rows.append(_cells(lines[index].strip()))
                index += 1
            tables.append((heading, header, rows))
            continue
        index += 1
    return tables


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _frame(header, rows):
    """A DataFrame of string cells; a column whose every cell is a number becomes numeric."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=header)
    for column in frame.columns:
        try:
            frame[column] = pd.to_numeric(frame[column])
        except (ValueError, TypeError):
            pass
    return frame


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
        """``{name: DataFrame}``: each CSV at the top of the run folder by its stem, then
        each table of ``report.md`` by the heading it stands under (``" (2)"`` etc. when
        a heading holds several). Cells stay strings unless a whole column is numeric."""
        import pandas as pd

        tables = {path.stem: pd.read_csv(path) for path in sorted(self.run_dir.glob("*.csv"))}
        for heading, frame in self._report_tables():
            name, count = heading, 2
            while name in tables:
                name, count = f"{heading} ({count})", count + 1
            tables[name] = frame
        return tables

    def _report_tables(self) -> list:
        """(heading, DataFrame) of every table of ``report.md``, in order."""
        if self.report is None:
            return []
        return [(heading or "table", _frame(header, rows))
                for heading, header, rows in parse_markdown_tables(self.report.read_text())]

    @property
    def table(self):
        """The run's main table as a DataFrame (the FID table of the MITLGAN run, the
        report's first table elsewhere). Raises ``FileNotFoundError`` before the report."""
        if self.headline is not None and (self.run_dir / f"{self.headline}.csv").is_file():
            return self.tables[self.headline]
        report_tables = self._report_tables()
        if not report_tables:
            raise FileNotFoundError(
                f"{self.run_dir} has no report table yet: the run stopped before its report "
                "stage. Call reproduce(...) again without `until` to finish it.")
        return report_tables[0][1]

    @property
    def figures(self) -> dict:
        """``{relative path: Path}`` of every PNG the report shows, in the report's order."""
        if self.report is None:
            return {}
        links = dict.fromkeys(_FIGURE_LINK.findall(self.report.read_text()))
        return {link: self.run_dir / link for link in links if (self.run_dir / link).is_file()}

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
