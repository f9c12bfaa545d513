"""The reports' claims as data: every report writes ``claims.json`` beside ``report.md``.

A claim row: its id (stable across presets, so the board can put a quick and an hour
verdict side by side), the document it comes from, the claim in a sentence, the
verdict ("supported", "not supported", "not supported (within ...)", or
"untested: why"), and the measured numbers behind it. The file also holds the budget
(preset, generator updates, seeds) and the command that made the run.
``python -m reproductions.claims`` gathers the files into one page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from mitlgan.files import write_json_atomic

CLAIMS_FILE = "claims.json"
UNTESTED = "untested"
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
    its number, "000" ... "004")."""

    id: str
    document: str
    claim: str
    verdict: str
    numbers: str

    @property
    def tested(self) -> bool:
        return not self.verdict.startswith(UNTESTED)


def claim_id(document: str, text: str) -> str:
    """``DOCUMENT-slug``: the claim's words without its parentheses (which carry the
    preset's numbers, e.g. "(T = 20)"), lower case, joined by dashes."""
    words = re.sub(r"\([^)]*\)", " ", text).lower()
    return f"{document}-" + "-".join(re.findall(r"[a-z0-9]+", words))[:80].rstrip("-")


def claims_from_rows(document: str, rows: Iterable) -> list[Claim]:
    """:class:`Claim` rows from a report's ``(claim, verdict, numbers)`` triples."""
    return [Claim(claim_id(document, text), document, text, verdict, numbers)
            for text, verdict, numbers in rows]


def untested(document: str, text: str, why: str) -> Claim:
    """A claim this reproduction cannot decide here; the row says why."""
    return Claim(claim_id(document, text), document, text, f"{UNTESTED}: {why}", "")


def document_of(claim: dict) -> str:
    """The document number of a ``claims.json`` row (files written before the key was
    renamed call it "seed")."""
    return claim.get("document") or claim["seed"]


def read_claim_rows(run_dir) -> list[tuple[str, str, str]]:
    """The ``(claim, verdict, numbers)`` rows of ``RUN/claims.json``, in order: what a
    renderer shows of the claims (decided before it runs)."""
    payload = json.loads((Path(run_dir) / CLAIMS_FILE).read_text())
    return [(claim["claim"], claim["verdict"], claim["numbers"]) for claim in payload["claims"]]


def write_claims(context, claims: Iterable[Claim], budget: dict) -> dict:
    """Write ``RUN/claims.json`` and return its payload.

    Args:
        context: the run's :class:`reproductions.runner.engine.RunContext`.
        claims: the report's claims.
        budget: what the run could spend, e.g. ``{"updates": 620, "seeds": 3}``; the
            preset is added.
    """
    command = context.log.command if context.log is not None else context.reproduction.prog
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
