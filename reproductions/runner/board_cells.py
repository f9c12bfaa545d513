"""What a cell of the claims board says: the verdict it shows, what that verdict stands on
(early training, a stand-in, a share of the document's budget), and how the per-document
summary reads it back."""

from __future__ import annotations

import re

from reproductions.runner.claims import UNTESTED
from reproductions.runner.verdicts import kind_of

EARLY = "early training"
UNSETTLED = "unsettled, runs of one command disagree:"

#: what the board shows for a verdict of a run decided before the five verdicts (its
#: words, "supported" / "not supported", stay in that run's claims.json)
LEGACY = "decided before the five verdicts"


def is_stand_in(data: str) -> bool:
    """Does a run's data line name a stand-in ("8,000 embedded MNIST digits for MNIST's
    60,000", "built-in sprites ... for anime faces", "stand-ins from packages")?"""
    return " for " in data or "stand-in" in data


def cell_qualifiers(run: dict) -> str:
    """What a verdict of this run stands on, written into its cell: *early training*
    (quick), *stand-in* (not the document's data) and the run's share of the document's
    budget when below all of it; "" for a run on the document's data at its budget."""
    budget = run.get("budget") or {}
    parts = [EARLY] if run["column"] == "quick" else []
    if is_stand_in(str(budget.get("data", ""))):
        parts.append("stand-in")
    share = budget.get("share")
    if share is not None and share < 0.995:
        parts.append(f"{_percent(share)} of the budget")
    return ", ".join(parts)


def _percent(share: float) -> str:
    """1.8%, 13%, 0.3%: two significant figures at most; "<0.1%" below that."""
    if share < 0.001:
        return "<0.1%"
    return f"{float(f'{share * 100:.2g}'):g}%"


#: a cell whose experiments (commands: other data, other settings) measured different
#: verdicts; the runs of one command that disagree are "unsettled" instead
DIFFERS = "differs between experiments"


def _part_kind(part: str) -> str:
    part = re.sub(r"^(the same in all [^:]*:\s*)+", "", part)
    part = re.sub(r"\s*\[[a-z]\d+(?:,\s*[a-z]\d+)*\].*$", "", part)
    part = part.replace(f" ({EARLY})", "").strip()
    if part.startswith(("not supported", "partly supported")) or " (within" in part:
        return LEGACY
    try:
        return kind_of(part)
    except ValueError:
        return LEGACY


def cell_kind(cell: str) -> str:
    """The verdict of a board cell (its seeds' prefix, qualifiers and run labels left
    out): one of the five; "unsettled" when runs of one command disagree; :data:`DIFFERS`
    when experiments of other commands measured different verdicts (an *untested* one
    measured nothing and does not count against a measured one); :data:`LEGACY` when
    every run in it was decided with "supported" / "not supported"."""
    if cell.startswith(UNSETTLED):
        return "unsettled"
    kinds = {_part_kind(part) for part in cell.split("; ")} - {LEGACY}
    if len(kinds) > 1:
        kinds -= {UNTESTED}
    if not kinds:
        return LEGACY
    return kinds.pop() if len(kinds) == 1 else DIFFERS
