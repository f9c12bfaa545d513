"""A run's results as data: the tables a report shows, each a named CSV in
``RUN/tables/`` (listed in order in ``tables/index.json``), and the figures it shows
(``RUN/figures.json``).

A report's renderer writes every table through :class:`TableRecords` first and shows
the Markdown rendered from that record, so the CSV and the report hold the same cells.
Readers (``RunResult.tables``, ``scripts/publish_results.py``, the claims board) read
these files and ``claims.json``, never ``report.md``. No TensorFlow here; pandas only
in the readers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from mitlgan.files import write_atomic, write_json_atomic

TABLES_DIR = "tables"
TABLES_INDEX = "index.json"
FIGURES_FILE = "figures.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_FIGURE_LINK = re.compile(r"!\[([^\]]*)\]\(([^)\s]+\.png)\)")


def markdown_table(header, rows) -> str:
    """A Markdown table from a header list and rows of values (``str()`` of each)."""
    lines = ["| " + " | ".join(str(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


class TableRecords:
    """The tables one rendering of a report writes, in order.

    Args:
        run_dir: the run folder; tables go to ``RUN_DIR/tables/NAME.csv``.
    """

    def __init__(self, run_dir):
        self.folder = Path(run_dir) / TABLES_DIR
        self.names: list[str] = []

    def table(self, name: str, header, rows) -> str:
        """Write the table ``name`` as a CSV record and return its Markdown.

        Args:
            name: lower-case file stem (``[a-z0-9_]``), unique within the report and not
                the stem of a CSV at the top of the run folder (``fid``...).
            header: column names.
            rows: rows of values, each as long as ``header``; every cell is kept as the
                text the report shows (``str()``), numbers included.

        Returns:
            The Markdown table rendered from the record's cells.
        """
        if not _NAME.match(name) or name in self.names:
            raise ValueError(f"table name {name!r} must be lower case [a-z0-9_] and unique "
                             f"in the report (already: {self.names})")
        if (self.folder.parent / f"{name}.csv").is_file():
            raise ValueError(f"table name {name!r} is taken by the run's own {name}.csv; "
                             "RunResult.tables would show only one of them")
        header = [str(h) for h in header]
        cells = [[str(v) for v in row] for row in rows]
        for row in cells:
            if len(row) != len(header):
                raise ValueError(f"table {name!r}: a row of {len(row)} cells under "
                                 f"{len(header)} columns: {row}")
        self.folder.mkdir(parents=True, exist_ok=True)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(cells)
        write_atomic(self.folder / f"{name}.csv", buffer.getvalue())
        self.names.append(name)
        write_json_atomic(self.folder / TABLES_INDEX, {"tables": self.names})
        return markdown_table(*read_table_cells(self.folder / f"{name}.csv"))


def read_table_cells(path) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a table record, every cell as text."""
    with open(path, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def table_names(run_dir) -> list[str]:
    """The names of the report's tables in the order it shows them ([] before the
    report)."""
    index = Path(run_dir) / TABLES_DIR / TABLES_INDEX
    if not index.is_file():
        return []
    return list(json.loads(index.read_text())["tables"])


def read_table(path):
    """A table record as a ``pandas.DataFrame``: a column whose every cell is a number
    becomes numeric, the others stay text."""
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False).apply(_numeric_if_possible)


def _numeric_if_possible(column):
    import pandas as pd

    try:
        return pd.to_numeric(column)
    except (ValueError, TypeError):
        return column


def read_tables(run_dir) -> dict:
    """``{name: DataFrame}``: the CSVs at the top of the run folder (``fid.csv``...)
    by their stem, then the report's table records in the report's order."""
    import pandas as pd

    run_dir = Path(run_dir)
    tables = {path.stem: pd.read_csv(path) for path in sorted(run_dir.glob("*.csv"))}
    for name in table_names(run_dir):
        tables[name] = read_table(run_dir / TABLES_DIR / f"{name}.csv")
    return tables


def write_figures(run_dir, lines) -> list[dict]:
    """Record the figures a report's ``lines`` show, in order, in ``RUN/figures.json``
    (``[{"path": relative PNG path, "caption": ...}]``); returns the list."""
    figures, seen = [], set()
    for line in lines:
        for caption, path in _FIGURE_LINK.findall(line):
            if path not in seen:
                seen.add(path)
                figures.append({"path": path, "caption": caption})
    write_json_atomic(Path(run_dir) / FIGURES_FILE, {"figures": figures})
    return figures


def read_figures(run_dir) -> dict:
    """``{relative path: Path}`` of the recorded figures that exist, in the report's
    order ({} before the report)."""
    run_dir = Path(run_dir)
    record = run_dir / FIGURES_FILE
    if not record.is_file():
        return {}
    paths = [entry["path"] for entry in json.loads(record.read_text())["figures"]]
    return {path: run_dir / path for path in paths if (run_dir / path).is_file()}
