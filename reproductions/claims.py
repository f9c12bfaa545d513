"""One board for the five documents' claims: ``python -m reproductions.claims RUN...``.

Every report writes ``claims.json`` (:mod:`reproductions.runner.claims`). This gathers the
files found under the given folders into one Markdown page: one row per claim, its
verdict at each budget side by side (quick, hour, full), the numbers behind the
largest budget, and the runs (command, budget) below, referenced from each cell.
A quick verdict is marked early training: the quick presets stop long before the
documents' budgets. A published run that was run again alone (``run.json``'s
``unshared_rerun``) shows the rerun's verdicts beside its own. Runs of one command that
differ only in ``--output`` or ``--seed`` are one experiment: a verdict over several
seeds holds only when every seed gives it (unanimity is the margin), and a claim on
which they disagree is marked unsettled.

    python -m reproductions.claims docs/results runs --output docs/claims.md
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from reproductions.runner.board_cells import (
    DIFFERS,
    EARLY,
    LEGACY,
    UNSETTLED,
    cell_kind,
    cell_qualifiers,
)
from reproductions.runner.claims import (
    CLAIMS_FILE,
    DOCUMENTS,
    UNTESTED,
    claim_id,
    document_of,
    load_catalogue,
    reproducing_command,
)
from reproductions.runner.report import markdown_table

BUDGETS = ("quick", "hour", "full")
#: what each budget column is called; "thesis" is the MITLGAN's full preset
PRESET_COLUMN = {"quick": "quick", "hour": "hour", "full": "full", "thesis": "full"}
RUN_RECORD = "run.json"
#: prefix of a cell whose runs of one command, with at least two seeds, all agree
AGREED = "the same in all {seeds} seeds:"
#: the same, when every run repeats its experiment over seeds itself (``--seeds K``)
AGREED_REPEATS = "the same in all {seeds} runs, {each} seeds each, {total} in all:"


def find_claims(folders) -> list[Path]:
    """Every ``claims.json`` under ``folders`` (a folder may be a run itself)."""
    found = []
    for folder in folders:
        folder = Path(folder)
        if not folder.exists():
            raise FileNotFoundError(f"{folder} does not exist: give run folders (or folders "
                                    "holding them) that a reproduction wrote.")
        found += sorted(folder.rglob(CLAIMS_FILE))
    return sorted(dict.fromkeys(found))


def load_runs(paths) -> list[dict]:
    """The claims files, each with ``path`` and ``column`` (its budget column) added."""
    runs = []
    for path in paths:
        payload = json.loads(Path(path).read_text())
        if payload.get("budget", {}).get("max_steps"):
            print(f"left out {path}: a --max-steps size check, not an experiment")
            continue
        payload["path"] = str(path)
        payload["column"] = PRESET_COLUMN.get(payload.get("preset"), payload.get("preset"))
        runs.append(payload)
        rerun = _unshared_rerun(payload, Path(path).with_name(RUN_RECORD))
        if rerun is not None:
            runs.append(rerun)
    # one command's runs together, by seed, a rerun right after the run it repeats
    return sorted(runs, key=lambda r: (BUDGETS.index(r["column"]) if r["column"] in BUDGETS
                                       else len(BUDGETS), _same_command(r["command"]),
                                       _seed(r["command"]), bool(r.get("rerun"))))


def _unshared_rerun(run: dict, record_path: Path) -> dict | None:
    """The published run's rerun alone as a run of its own: the published claims with the
    verdicts and numbers the rerun changed (``scripts/publish_results.py --unshared-rerun``)."""
    if not record_path.is_file():
        return None
    rerun = json.loads(record_path.read_text()).get("unshared_rerun")
    if not rerun:
        return None
    changed, numbers = rerun.get("verdicts_changed", {}), rerun.get("numbers", {})
    claims = [{**claim, "verdict": changed.get(claim["id"], {}).get("rerun", claim["verdict"]),
               "numbers": numbers.get(claim["id"], claim["numbers"])} for claim in run["claims"]]
    budget = {**run["budget"], "rerun": f"the same command alone on {rerun['machine']}, "
                                        f"{rerun['wall_seconds']} s"}
    return {**run, "command": rerun["command"], "budget": budget, "claims": claims,
            "path": str(record_path), "rerun": True}


def typed_command(command: str) -> str:
    """The command as a user types it: the machine's output folder becomes ``runs``, its
    data root ``data`` (the default); a font unpacked from a Debian package anywhere
    reads as the package installs it (``/usr/share/fonts/...``), a charset file by
    its name, as ``datasets/zi2zi.md`` makes them, and published records from
    ``docs/results/``."""
    command = re.sub(r"(\s--output)(=|\s+)\S+", r"\1 runs", reproducing_command(command))
    command = re.sub(r"(\s--data-root)(=|\s+)\S+", r"\1 data", command)
    command = re.sub(r"(\s--(?:source|target)-font)(?:=|\s+)\S*?(/usr/share/fonts/\S+)",
                     r"\1 \2", command)
    command = re.sub(r"(\s--variants-from)(?:=|\s+)\S*?(docs/results/\S+)", r"\1 \2", command)
    return re.sub(r"(\s--charset)(?:=|\s+)\S*/(\S+)", r"\1 \2", command)


def _shown(claim: dict) -> str:
    """A claim's verdict as the board shows it: one of the five, or :data:`LEGACY` for
    every claim of a run decided before them (its rows have no ``reason``)."""
    if "reason" not in claim:
        return LEGACY
    return claim["verdict"]


def _same_command(command: str) -> str:
    """The command without its ``--output`` folder and ``--seed``: runs differing only
    there are one experiment (``--seeds K``, seeds inside one run, is kept)."""
    command = re.sub(r"\s--output(=|\s+)\S+", "", command)
    return re.sub(r"\s--seed(=|\s+)\S+", "", command).strip()


def _seed(command: str) -> int:
    """The run's ``--seed`` (the runner's default is 0)."""
    found = re.search(r"\s--seed(?:=|\s+)(\d+)", command)
    return int(found.group(1)) if found else 0


def _outcome(verdict: str) -> str:
    """"supported", "partly supported" or "not supported", without the reason."""
    return verdict.split(" (")[0].split(":")[0]


def board_rows(runs) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the board: document, claim, one verdict column per budget,
    numbers."""
    labels = {id(run): f"{run['column'][0]}{index}" for index, run in enumerate(runs, 1)}
    claims: dict[tuple, dict] = {}
    for run in runs:
        for claim in run["claims"]:
            row = claims.setdefault((document_of(claim), claim["id"]),
                                    {"claim": claim["claim"], "cells": {}, "numbers": {},
                                     "outcomes": {}})
            verdict = _shown(claim)
            qualifiers = cell_qualifiers(run)
            if qualifiers and not verdict.startswith(UNTESTED):
                verdict = f"{verdict} ({qualifiers})"
            row["cells"].setdefault(run["column"], []).append(f"{verdict} [{labels[id(run)]}]")
            if verdict.split(" [")[0] != LEGACY:
                # A seed decided before the five verdicts neither agrees nor disagrees.
                group = row["outcomes"].setdefault(
                    (run["column"], _same_command(run["command"])),
                    {"outcomes": set(), "seeds": set(), "runs": [], "repeats": set()})
                group["outcomes"].add(_outcome(claim["verdict"]))
                group["repeats"].add(int(run["budget"].get("seeds") or 1))
                group["seeds"].add(_seed(run["command"]))
                group["runs"].append(labels[id(run)])
            legacy = verdict.split(" [")[0].startswith(LEGACY)
            decided = row.setdefault("decided", set())  # columns with five-verdict numbers
            if claim["numbers"] and not run.get("rerun"):
                # a run decided with the five verdicts gives the numbers over an older one
                if not legacy:
                    row["numbers"][run["column"]] = claim["numbers"]
                    decided.add(run["column"])
                elif run["column"] not in decided:
                    row["numbers"][run["column"]] = claim["numbers"]
            if run["column"] != "quick" and not (legacy and run["column"] in decided):
                # worded with the larger budget's numbers, by a five-verdict run if any
                row["claim"] = claim["claim"]
    header = ["document", "claim", *BUDGETS, "numbers (largest budget)"]
    rows = []
    order = {known: index for index, known in enumerate(load_catalogue())}
    for (document, _), row in sorted(claims.items(),
                                     key=lambda item: (item[0][0], order.get(item[0][1], 10**6),
                                                       item[0][1])):
        largest = next((row["numbers"][b] for b in reversed(BUDGETS) if b in row["numbers"]), "")
        rows.append([document, row["claim"],
                     *(_unsettled(row["outcomes"], b)
                       + _compact(row["cells"].get(b, ["-"]), _agreements(row["outcomes"], b))
                       for b in BUDGETS), largest])
    return header, rows


def _compact(cells: list[str], agreements: dict | None = None) -> str:
    """Cells joined with "; ", a run of equal verdicts written once with all their runs:
    ``supported [h1]; supported [h2]`` -> ``supported [h1, h2]``. ``agreements`` maps
    the runs of one command whose seeds agree (a frozenset of labels) to the words that
    say so, written before that command's cell and not before another command's."""
    merged: list[tuple[str, list[str]]] = []
    for cell in cells:
        found = re.match(r"^(.*) \[([a-z]\d+)\]$", cell)
        if found is None:
            merged.append((cell, []))
        elif merged and merged[-1][1] and merged[-1][0] == found.group(1):
            merged[-1][1].append(found.group(2))
        else:
            merged.append((found.group(1), [found.group(2)]))
    shown = [("", text, labels) for text, labels in merged]
    for runs, words in (agreements or {}).items():
        at = next((k for k, (_, _, labels) in enumerate(shown) if runs <= set(labels)), None)
        if at is None:  # the command's runs split over several cells: the column's start
            shown[0] = (words + " " + shown[0][0], *shown[0][1:])
            continue
        prefix, text, labels = shown[at]
        # another command's runs with the same verdict keep their own cell, in run order
        agreeing = (prefix + words + " ", text, [label for label in labels if label in runs])
        others = (prefix, text, [label for label in labels if label not in runs])
        pieces = [agreeing, others] if labels[0] in runs else [others, agreeing]
        shown[at:at + 1] = [piece for piece in pieces if piece[2]]
    return "; ".join(prefix + (f"{text} [{', '.join(labels)}]" if labels else text)
                     for prefix, text, labels in shown)


def _unsettled(groups: dict, column: str) -> str:
    """"unsettled ..." when runs of one command in this column disagree, else nothing."""
    if any(len(group["outcomes"]) > 1
           for (col, _), group in groups.items() if col == column):
        return f"{UNSETTLED} "
    return ""


def _agreements(groups: dict, column: str) -> dict:
    """{the runs of one command: "the same in all N seeds:"} for each command in this
    column whose N >= 2 seeds agree on a measured verdict (none when some disagree)."""
    groups = [group for (col, _), group in groups.items() if col == column]
    if any(len(group["outcomes"]) > 1 for group in groups):
        return {}
    return {frozenset(group["runs"]): _agreed(group) for group in groups
            if len(group["seeds"]) >= 2 and group["outcomes"] != {UNTESTED}}


def _agreed(group: dict) -> str:
    runs, repeats = ", ".join(group["runs"]), group["repeats"]
    if len(repeats) == 1 and min(repeats) > 1:  # each run is itself over K seeds
        each = min(repeats)
        return AGREED_REPEATS.format(seeds=len(group["seeds"]), runs=runs, each=each,
                                     total=each * len(group["seeds"]))
    return AGREED.format(seeds=len(group["seeds"]), runs=runs)


def _budget_text(budget: dict) -> str:
    return ", ".join(f"{k} {json.dumps(v) if isinstance(v, (dict, list)) else v}"
                     for k, v in budget.items()
                     if k not in ("preset", "data", "share", "share_of") and v is not None)


def _where(path) -> str:
    """The claims file relative to the current folder, or a note that it is a local run."""
    try:
        return f"`{Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()}`"
    except ValueError:
        return "a local run (not committed)"




def _largest(row: list[str]) -> str:
    """The verdict kind of a board row's largest budget ("-" when none ran)."""
    for cell in reversed(row[2:2 + len(BUDGETS)]):
        if cell != "-":
            return cell_kind(cell)
    return "-"


def document_summaries(rows) -> list[str]:
    """One line per document: how many of its claims have each verdict at the largest
    budget that ran them (and how many of its catalogued claims no run decides yet)."""
    catalogue = load_catalogue()
    on_board = {claim_id(row[0], row[1]) for row in rows}
    lines = []
    for document in DOCUMENTS:
        counts: dict[str, int] = {}
        for row in rows:
            if row[0] == document:
                kind = _largest(row)
                counts[kind] = counts.get(kind, 0) + 1
        not_run = sum(1 for known, c in catalogue.items() if c["document"] == document
                      and c.get("status") and known not in on_board)
        parts = [f"{n} {kind}" for kind, n in sorted(counts.items(), key=lambda kv: -kv[1])]
        parts += [f"{not_run} not run here yet"] if not_run else []
        lines.append(f"- **{document}** ({DOCUMENTS[document]}): " + ", ".join(parts))
    return lines


def words_section(rows) -> list[str]:
    """Each claim on the board in the document's own words and place, then the
    documents' claims no run decides yet (untested here)."""
    catalogue = load_catalogue()
    lines = ["## The claims in the documents' words", ""]
    for row in rows:
        entry = catalogue.get(claim_id(row[0], row[1]))
        if entry:
            lines.append(f"- {row[0]}, *{row[1]}*: \"{entry['quote']}\" ({entry['place']})"
                         + (f". {entry['note']}" if entry.get("note") else ""))
    lines += ["", "## Claims no run decides yet (untested here)", "",
              "A claim a reproduction decides, with the command that runs it, and the "
              "documents' claims no reproduction decides yet:", ""]
    on_board = {claim_id(row[0], row[1]) for row in rows}
    lines += [f"- {c['document']}, *{c['claim']}*: \"{c['quote']}\" ({c['place']})"
              + (f"; run `{c['command']}`" if c.get("command") else "")
              for known, c in catalogue.items() if known not in on_board]
    return lines


def board_markdown(runs) -> str:
    """The whole page."""
    header, rows = board_rows(runs)
    lines = ["# The documents' claims, checked", "",
             "- One row per claim of the five documents that a run decided, in the "
             "documents' order; each cell is the verdict at one budget and the run behind "
             f"it (`quick`: minutes on a CPU, *{EARLY}*; `hour`: an hour on a 2-core CPU; "
             "`full`: the documents' own budget).",
             "- Verdicts: supported, contradicted, inconclusive (within the margin or the "
             "seed spread), not reached (a precondition failed: no training, the time "
             "scale not reached, an undefined metric), untested; each with its reason in "
             "the run's `claims.json`.",
             "- A cell says what its verdict stands on: *stand-in* when the run did not "
             "train on the document's data, and the run's share of the document's budget "
             "(updates, and pixels where they differ) when below all of it; the runs below "
             "name the data (the stand-in by name) and the budget.",
             "- Runs of one command that differ only in `--output` or `--seed` are one "
             f"experiment: *{AGREED.format(seeds='N', runs='the runs')}* before its runs "
             f"when every seed gives the same verdict (*{AGREED_REPEATS.format(seeds='N', runs='the runs', each='K', total='N x K')}*"
             f" when each run is over K seeds itself), *{UNSETTLED.rstrip(':')}* when not; "
             f"runs of other commands (other data or settings) are other experiments, and "
             f"the summary counts a claim they answer differently as *{DIFFERS}*.",
             *([f"- A run decided before the five verdicts shows *{LEGACY}* until it is "
                "made again (its old words stay in its `claims.json`); the summary counts "
                "such rows apart."] if any(_largest(row) == LEGACY for row in rows) else []),
             "- Made by `python -m reproductions.claims`.", "",
             "## Per document", "", *document_summaries(rows), "",
             markdown_table(header, rows), "", *words_section(rows), "", "## Runs", ""]
    labels = [f"{run['column'][0]}{index}" for index, run in enumerate(runs, 1)]
    lines += [markdown_table(["run", "command", "data", "share of the document's budget",
                              "budget", "claims file"],
                             [[label, f"`{typed_command(run['command'])}`",
                               run["budget"].get("data", "-"), _share_text(run["budget"]),
                               _budget_text(run["budget"]),
                               _where(run["path"]) + (" (`unshared_rerun`)" if run.get("rerun")
                                                      else "")]
                              for label, run in zip(labels, runs)]), ""]
    return "\n".join(lines)


def _share_text(budget: dict) -> str:
    share = budget.get("share")
    if share is None:
        return "-"
    return f"{share:.1%} of {budget.get('share_of', 'the document’s')}"


def main(argv=None) -> int:
    """``python -m reproductions.claims``; returns the exit code (2: nothing to gather)."""
    parser = argparse.ArgumentParser(prog="python -m reproductions.claims",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", metavar="RUN",
                        help="run folders, or folders holding runs (searched for claims.json)")
    parser.add_argument("--output", default=None, help="write the page here (default: print)")
    args = parser.parse_args(argv)
    try:
        paths = find_claims(args.folders)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not paths:
        print(f"error: no {CLAIMS_FILE} under {', '.join(args.folders)}: finish a run (its "
              "report stage writes it) or give the folder that holds it.", file=sys.stderr)
        return 2
    page = board_markdown(load_runs(paths))
    if args.output:
        Path(args.output).write_text(page + "\n", encoding="utf-8")
        print(f"wrote {args.output} ({len(paths)} runs)")
    else:
        print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
