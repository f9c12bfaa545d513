"""What the runner adds when a stage met trouble that is not a bug: a full disk (the
message that ends the run), damaged checkpoints skipped on resume and a size check's
records (in the stage's ``done.json``, from the ``TrainResult`` of each training call),
and the lines a report renders from them."""

from __future__ import annotations

from dataclasses import dataclass, field

DAMAGED_HEADING = "## Damaged checkpoints skipped on resume"
SIZE_CHECK_MARK = "> **Size check (`--max-steps"


def disk_full_message(stage: str, error: BaseException) -> str | None:
    """The message that ends a run whose stage ``stage`` failed on a full disk (or a
    file-size limit), naming the file; None when ``error`` is something else."""
    from mitlgan.files import disk_full

    full = disk_full(error)
    if full is None:
        return None
    return (f"{stage}: the disk is full: writing {full.filename or 'a file'} failed "
            f"({full.strerror}). The finished stages and the stage's last checkpoint are "
            "kept; free some space and run the same command to resume.")


@dataclass
class StageNotes:
    """What one stage's training calls learnt about themselves.

    Attributes:
        size_check: one record per training call of a ``--max-steps`` run
            (:func:`mitlgan.size_check.record_training_call`).
        damaged_checkpoints: one line per damaged newest checkpoint a resume skipped.
    """

    size_check: list[dict] = field(default_factory=list)
    damaged_checkpoints: list[str] = field(default_factory=list)

    def add_training(self, result) -> None:
        """Keep what a ``mitlgan.training.TrainResult`` says about its call."""
        if result.size_check is not None:
            self.size_check.append(result.size_check)
        self.damaged_checkpoints.extend(result.damaged_checkpoints)

    def add_to(self, payload: dict, max_steps: int | None) -> list[str]:
        """Add the notes to a finished stage's ``done.json`` ``payload`` (``size_check``
        in a ``--max-steps`` run, ``damaged_checkpoints`` when there are any); returns
        the warnings to print."""
        if max_steps is not None:
            payload["size_check"] = list(self.size_check)
        if not self.damaged_checkpoints:
            return []
        payload["damaged_checkpoints"] = list(self.damaged_checkpoints)
        return [f"{len(self.damaged_checkpoints)} damaged checkpoint(s) were skipped: "
                + "; ".join(self.damaged_checkpoints)]


def size_check_banner(max_steps: int | None) -> list[str]:
    """The report's first lines in a ``--max-steps`` run (its numbers mean nothing);
    none in a real run."""
    if max_steps is None:
        return []
    return [f"{SIZE_CHECK_MARK} {max_steps}`)**: every training stage stopped after one "
            f"epoch of at most {max_steps} steps. This run checks that the preset builds, "
            "trains, checkpoints, resumes and reports at its real size; its numbers and "
            "verdicts mean nothing.", ""]


def damaged_section(lines: list[str]) -> list[str]:
    """The report's section on damaged checkpoints skipped on resume; none without."""
    if not lines:
        return []
    return ["", DAMAGED_HEADING, "", "Training resumed from an earlier checkpoint than the "
            "newest, so those epochs were trained twice:", "",
            *(f"- {line}" for line in lines)]
