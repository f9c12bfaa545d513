"""The reports' claims as data: every report writes ``claims.json`` beside ``report.md``.

A claim row: its id (stable across presets, so the board can put a quick and an hour
verdict side by side), the document it comes from, the claim in a sentence, the
verdict (one of the five of :mod:`reproductions.runner.verdicts`) and its reason, and
the measured numbers behind it. The file also holds the budget (preset, generator
updates, seeds, the data) and the command that made the run.
``python -m reproductions.claims`` gathers the files into one page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from mitlgan.files import write_json_atomic
from reproductions.runner.verdicts import UNTESTED as VERDICT_UNTESTED
from reproductions.runner.verdicts import kind_of, reason_of

CLAIMS_FILE = "claims.json"
UNTESTED = VERDICT_UNTESTED
#: the documents (shared/seeds/NNN_*.txt) by their number
DOCUMENTS = {
    "000": "zi2zi font transfer, an MNIST CNN classifier and a collapsing MNIST GAN",
    "001": "a DCGAN on anime faces that collapses after epoch 30",
    "002": "an LSTM from its equations against a vanilla RNN; an MLP GAN on MNIST",
    "003": "a fully connected GAN on MNIST and ten ablations",
    "004": "the MITLGAN thesis",
}


@dataclass(frozen=True)
class Claim:
    """One claim of a document and what this run measured about it (``document``:
    its number, "000" ... "004"; ``verdict``: one of the five, ``reason``: why)."""

    id: str
    document: str
    claim: str
    verdict: str
    numbers: str
    reason: str = ""

    @property
    def tested(self) -> bool:
        return self.verdict != UNTESTED


def claim_id(document: str, text: str) -> str:
    """``DOCUMENT-slug``: the claim's words without its parentheses (which carry the
    preset's numbers, e.g. "(T = 20)"), lower case, joined by dashes."""
    words = re.sub(r"\([^)]*\)", " ", text).lower()
    return f"{document}-" + "-".join(re.findall(r"[a-z0-9]+", words))[:80].rstrip("-")


def claims_from_rows(document: str, rows: Iterable) -> list[Claim]:
    """:class:`Claim` rows from a report's ``(claim, "KIND: reason", numbers)`` triples.

    Raises:
        ValueError: a verdict that is not one of the five (e.g. "not supported").
    """
    return [Claim(claim_id(document, text), document, text, kind_of(verdict), numbers,
                  reason_of(verdict))
            for text, verdict, numbers in rows]


def untested(document: str, text: str, why: str) -> Claim:
    """A claim this reproduction cannot decide here; the row says why."""
    return Claim(claim_id(document, text), document, text, UNTESTED, "", why)


def document_of(claim: dict) -> str:
    """The document number of a ``claims.json`` row (files written before the key was
    renamed call it "seed")."""
    return claim.get("document") or claim["seed"]


CATALOGUE_FILE = Path(__file__).resolve().parents[1] / "claims_catalogue.json"


def load_catalogue() -> dict[str, dict]:
    """Every claim of the five documents by id: ``document``, ``claim`` (the operational
    test), ``quote`` (a short verbatim quotation of the sentence it tests), ``place``
    (section, figure or table) and ``note`` (how it is read); ``status`` "not run here
    yet" for claims no reproduction decides so far."""
    return {row["id"]: row for row in json.loads(CATALOGUE_FILE.read_text())["claims"]}


def read_claim_rows(run_dir) -> list[tuple[str, str, str]]:
    """The ``(claim, verdict, numbers)`` rows of ``RUN/claims.json``, in order: what a
    renderer shows of the claims (decided before it runs)."""
    payload = json.loads((Path(run_dir) / CLAIMS_FILE).read_text())
    return [(claim["claim"], claim["verdict"] + (f": {claim['reason']}" if claim.get("reason")
                                                 else ""), claim["numbers"])
            for claim in payload["claims"]]


#: flags that change how a command runs, not what it makes
NOT_SETTINGS = ("--restart", "--debug")


def reproducing_command(command: str) -> str:
    """The command that makes the run again: without ``--restart`` (which deleted an
    older run in the folder) and ``--debug``."""
    for flag in NOT_SETTINGS:
        command = re.sub(rf"\s{flag}(?=\s|$)", "", command)
    return command


def write_claims(context, claims: Iterable[Claim], budget: dict, *, data: str,
                 share: float | None, share_of: str) -> dict:
    """Write ``RUN/claims.json`` and return its payload.

    Args:
        context: the run's :class:`reproductions.runner.engine.RunContext`.
        claims: the report's claims.
        budget: what the run could spend, e.g. ``{"updates": 620, "seeds": 3}``; the
            preset is added.
        data: what the run trained on, the stand-in by name where it is not the
            document's ("8,000 embedded MNIST digits for MNIST's 60,000").
        share: the run's share of the document's budget (0-1; None: unknown).
        share_of: what that budget is ("the document's 100 epochs of 100,000 sequences").
    """
    budget = {**budget, "data": data, "share": None if share is None else round(share, 4),
              "share_of": share_of}
    command = reproducing_command(context.log.command if context.log is not None
                                  else context.reproduction.prog)
    payload = {
        "reproduction": context.reproduction.prog,
        "command": command,
        "preset": context.config.get("preset"),
        "budget": {"preset": context.config.get("preset"), **budget,
                   **({"max_steps": context.max_steps} if context.max_steps else {})},
        "claims": [asdict(claim) for claim in claims],
    }
    write_json_atomic(context.run_dir / CLAIMS_FILE, payload)
    return payload
