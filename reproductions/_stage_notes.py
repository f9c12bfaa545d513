"""What the runner adds when a stage met trouble that is not a bug: a full disk (the
message that ends the run) and damaged checkpoints skipped on resume (their lines in
the stage's ``done.json`` and a section of ``report.md``)."""

from __future__ import annotations

from pathlib import Path

DAMAGED_HEADING = "## Damaged checkpoints skipped on resume"


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


def damaged_checkpoint_lines(stage_dir: Path) -> list[str]:
    """The lines of every checkpoint ``damaged.log`` under ``stage_dir`` (each a damaged
    newest checkpoint that a resume skipped)."""
    from mitlgan.artifacts import DAMAGED_LOG

    return [line for log in sorted(Path(stage_dir).rglob(DAMAGED_LOG))
            for line in log.read_text(encoding="utf-8").splitlines() if line]


def append_damaged_section(report: Path, lines: list[str]) -> None:
    """Append ``lines`` under :data:`DAMAGED_HEADING` to ``report`` (once; nothing when
    there are no lines or no report)."""
    report = Path(report)
    if not lines or not report.is_file():
        return
    text = report.read_text(encoding="utf-8")
    if DAMAGED_HEADING in text:
        return
    from mitlgan.files import write_atomic

    write_atomic(report, text + f"\n{DAMAGED_HEADING}\n\nTraining resumed from an earlier "
                 "checkpoint than the newest, so those epochs were trained twice:\n\n"
                 + "".join(f"- {line}\n" for line in lines))


SIZE_CHECK_MARK = "> **Size check (`--max-steps"


def mark_size_check(report: Path, max_steps: int | None) -> None:
    """Open ``report`` with a line saying it comes from a ``--max-steps`` run (once;
    nothing for a real run or when there is no report): its numbers mean nothing."""
    report = Path(report)
    if max_steps is None or not report.is_file():
        return
    text = report.read_text(encoding="utf-8")
    if SIZE_CHECK_MARK in text:
        return
    from mitlgan.files import write_atomic

    write_atomic(report, f"{SIZE_CHECK_MARK} {max_steps}`)**: every training stage stopped "
                 f"after one epoch of at most {max_steps} steps. This run checks that the "
                 "preset builds, trains, checkpoints, resumes and reports at its real size; "
                 "its numbers and verdicts mean nothing.\n\n" + text)


def size_check_records(max_steps: int | None) -> dict:
    """``{"size_check": [...]}`` for a stage's ``done.json`` in a ``--max-steps`` run: the
    stage's training calls as :func:`mitlgan.size_check.take_records` gives them (seconds
    per step, FLOPs per step, steps without ``--max-steps``); ``{}`` in a real run."""
    if max_steps is None:
        return {}
    from mitlgan.size_check import take_records

    return {"size_check": take_records()}


def add_stage_notes(payload: dict, stage_dir: Path, max_steps: int | None) -> list[str]:
    """Add to a finished stage's ``done.json`` ``payload`` its size-check records and its
    damaged checkpoints (see above); returns the warnings to print (one per kind)."""
    payload.update(size_check_records(max_steps))
    damaged = damaged_checkpoint_lines(stage_dir)
    if not damaged:
        return []
    payload["damaged_checkpoints"] = damaged
    return [f"{len(damaged)} damaged checkpoint(s) were skipped: " + "; ".join(damaged)]
