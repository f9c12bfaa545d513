"""Copy a finished hour run's evidence into ``docs/results/NAME/``.

What is committed, and nothing else from the run folder: ``report.md`` as written,
``claims.json``, the run's CSVs and the report's table records (``tables/``), at
most four of the PNG figures the report links (each re-encoded smaller if it passes
400 KB, at the same relative path so the report's links work), and ``run.json``: the
exact command, preset, wall time, machine line and git commit.

    python scripts/publish_results.py /work/hour_runs/palindrome palindrome \\
        --command "python -m reproductions.palindrome --preset hour ..." --seconds 2710

A run whose CPU was shared has only an upper bound of its wall time; the same command
run again alone adds its time, its numbers and the verdicts it changed to ``run.json``
with ``--unshared-rerun``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
MAX_FIGURES = 4
MAX_FIGURE_BYTES = 400 * 1024


def machine_line() -> str:
    """CPU model, cores, memory and the library versions, in one line."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        memory = ""
    versions = []
    for name in ("tensorflow", "keras", "numpy"):
        try:
            from importlib import metadata

            versions.append(f"{name} {metadata.version(name)}")
        except Exception:  # noqa: BLE001 - a missing package is only not named
            pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, " + \
        ", ".join(versions)


def _git_commit(folder: Path) -> str:
    try:
        return subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], check=True,
                              capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _copy_figure(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.stat().st_size <= MAX_FIGURE_BYTES:
        shutil.copyfile(source, target)
        return
    from PIL import Image

    image = Image.open(source).convert("RGB")
    while True:  # fewer colours first, then fewer pixels, until it fits
        image.quantize(colors=128).save(target, optimize=True)
        if target.stat().st_size <= MAX_FIGURE_BYTES or min(image.size) < 200:
            return
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4))


def superseded_record(folder: Path, why: str) -> dict:
    """What stays of a published run that another run of its command replaces: its
    command, time, commits, what shared its CPU, every verdict and its numbers."""
    run = json.loads((folder / "run.json").read_text())
    claims = json.loads((folder / "claims.json").read_text())["claims"]
    kept = ("command", "wall_seconds", "machine", "git_commit", "report_commit", "note",
            "cpu_shared_with")
    return {"why": why, **{key: run[key] for key in kept if run.get(key)},
            "verdicts": {claim["id"]: claim["verdict"] for claim in claims},
            "numbers": {claim["id"]: claim["numbers"] for claim in claims}}


def typed_report(text: str) -> str:
    """A report as it reads to a user: its configuration names a charset file by its
    name, as the published command does (``datasets/zi2zi.md`` makes it), not by this
    machine's folder."""
    return re.sub(r'("charset_file": ")[^"]*/([^"/]+")', r"\1\2", text)


def _copy_evidence(result, run_dir: Path, target: Path, max_figures: int) -> None:
    """Replace ``target``'s report, claims, CSVs, tables and figures by ``run_dir``'s
    (runs published inside ``target``, ``target/seed_1``, are kept)."""
    from reproductions.runner.records import TABLES_DIR

    if target.exists():
        for path in target.iterdir():
            if path.is_dir() and any(path.rglob("run.json")):
                continue  # a run of its own published inside this one
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    target.mkdir(parents=True, exist_ok=True)
    report = Path(result.report).read_text(encoding="utf-8")
    (target / "report.md").write_text(typed_report(report), encoding="utf-8")
    if (run_dir / "claims.json").is_file():
        from reproductions.claims import typed_command

        claims = json.loads((run_dir / "claims.json").read_text())
        claims["command"] = typed_command(claims["command"])  # no machine paths
        (target / "claims.json").write_text(json.dumps(claims, indent=2, sort_keys=True) + "\n")
    for csv_path in sorted(run_dir.glob("*.csv")):
        shutil.copyfile(csv_path, target / csv_path.name)
    if (run_dir / TABLES_DIR).is_dir():  # the report's table records, as written
        shutil.copytree(run_dir / TABLES_DIR, target / TABLES_DIR)
    else:
        print(f"warning: {run_dir} has no {TABLES_DIR}/ (a run made before its report "
              "wrote table records): rerun its report stage to publish its tables",
              file=sys.stderr)
    for link, path in list(result.figures.items())[:max_figures]:
        _copy_figure(path, target / link)


def republish_redecided(run_dir, name: str, note: str,
                        results_root=REPOSITORY / "docs" / "results") -> Path:
    """The published run ``name`` with its report stage made again by this checkout's
    code in ``run_dir`` (the same run folder, its records unchanged): copy the new
    report, claims and tables, keep ``run.json``'s command, times and commits, set its
    ``report_commit`` and add ``note`` to its note."""
    sys.path.insert(0, str(REPOSITORY))
    from reproductions import open_run

    target = Path(results_root) / name
    if not (target / "run.json").is_file():
        raise SystemExit(f"error: --redecided: nothing is published in {target} yet.")
    run = json.loads((target / "run.json").read_text())
    result = open_run(Path(run_dir))
    if result.report is None:
        raise SystemExit(f"error: {run_dir} has no report.md: make its report first.")
    _copy_evidence(result, Path(run_dir), target, len(run.get("figures", [])))
    run["report_commit"] = _git_commit(REPOSITORY)
    run["note"] = f"{run['note']}; {note}" if run.get("note") else note
    (target / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    return target


def publish(run_dir, name: str, command: str, seconds: float, code_dir=None,
            results_root=REPOSITORY / "docs" / "results", report_commit=None,
            note: str | None = None, cpu_shared_with: str | None = None,
            max_figures: int = MAX_FIGURES, hour_budgets: int = 1,
            supersedes: str | None = None) -> Path:
    """Write ``results_root/name`` from ``run_dir``; returns that folder.

    ``cpu_shared_with`` names what else ran on the CPU during the run: its wall time is
    then an upper bound of the preset's, recorded as such in ``run.json``. A run that
    spends several hour budgets in one command (the hour preset with ``--seeds 3``, each
    seed its own hour) says how many in ``hour_budgets``. Runs published inside ``name``
    (``name/seed_1``, with their own ``run.json``) are kept. ``supersedes`` (why) replaces
    a published run of the same command as the evidence and keeps what it said in
    ``run.json`` (:func:`superseded_record`)."""
    sys.path.insert(0, str(REPOSITORY))
    from reproductions import open_run

    run_dir, target = Path(run_dir), Path(results_root) / name
    result = open_run(run_dir)
    if result.report is None:
        raise SystemExit(f"error: {run_dir} has no report.md yet: finish the run first.")
    superseded = None
    if supersedes:
        if not (target / "run.json").is_file():
            raise SystemExit(f"error: --supersedes: nothing is published in {target} yet.")
        superseded = superseded_record(target, supersedes)
    _copy_evidence(result, run_dir, target, max_figures)
    config = result.config
    from reproductions.claims import typed_command

    command = typed_command(command)  # as a user types it, not this machine's folder
    run = {"command": command, "preset": config.get("preset"), "wall_seconds": round(seconds),
           "machine": machine_line(), "git_commit": _git_commit(Path(code_dir or REPOSITORY)),
           "report_commit": report_commit or _git_commit(Path(code_dir or REPOSITORY)),
           "note": note,
           **({"cpu_shared_with": cpu_shared_with} if cpu_shared_with else {}),
           **({"hour_budgets": hour_budgets} if hour_budgets > 1 else {}),
           "figures": list(result.figures)[:max_figures],
           "figures_left_out": list(result.figures)[max_figures:],
           **({"superseded_run": superseded} if superseded else {})}
    from reproductions.claims import typed_command
    from reproductions.runner.invocations import read_invocations
    from reproductions.zi2zi.carry import carried_variants

    carried = carried_variants(run_dir)  # trained on another machine: their time is theirs
    if carried:
        run["carried_variants"] = carried
    invocations = read_invocations(run_dir)
    if len(invocations) > 1:  # resumed across sessions: each invocation, and their sum
        # as a user types them: this machine's folders stay out of docs/results
        run["invocations"] = [{**call, "command": typed_command(call["command"])}
                              for call in invocations]
    (target / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    return target


def record_unshared_rerun(name: str, seconds: float, run_dir,
                          results_root=REPOSITORY / "docs" / "results") -> Path:
    """Add to a published run whose CPU was shared the wall time of the same command run
    again alone, leaving its evidence as published (the claims board cites it).

    ``run_dir`` is the rerun's finished folder; its claims (the same ones) go beside the
    timing with their numbers, and every verdict that differs from the published one is
    listed under ``verdicts_changed`` (the run's seed noise, or another CPU's numerics,
    decided it). Returns the ``run.json`` path."""
    run_file = Path(results_root) / name / "run.json"
    run = json.loads(run_file.read_text())
    published = {c["id"]: c["verdict"]
                 for c in json.loads((run_file.parent / "claims.json").read_text())["claims"]}
    rerun_claims = json.loads((Path(run_dir) / "claims.json").read_text())
    rerun = {c["id"]: c for c in rerun_claims["claims"]}
    if set(rerun) != set(published):
        raise SystemExit(f"error: {run_dir} checks other claims than docs/results/{name}: "
                         "is it a run of the same command?")
    run["unshared_rerun"] = {
        "command": rerun_claims.get("command"), "wall_seconds": round(seconds),
        "machine": machine_line(), "git_commit": _git_commit(REPOSITORY),
        "verdicts_changed": {key: {"published": published[key], "rerun": claim["verdict"]}
                             for key, claim in rerun.items()
                             if claim["verdict"] != published[key]},
        "numbers": {key: claim["numbers"] for key, claim in rerun.items()}}
    run_file.write_text(json.dumps(run, indent=2) + "\n")
    return run_file


def _wall_time(run: dict) -> str:
    shared = " (at most: the CPU was shared)" if run.get("cpu_shared_with") else ""
    budgets = run.get("hour_budgets", 1)
    text = f"{run['wall_seconds'] / 60:.0f} min{shared}" + (
        f" for {budgets} hour budgets" if budgets > 1 else "")
    carried = run.get("carried_variants")
    if carried:
        text += (f" here, and {sum(c['trained_seconds'] or 0 for c in carried) / 60:.0f} min "
                 f"on another machine for {', '.join(c['variant'] for c in carried)} (carried)")
    earlier = run.get("superseded_run")
    if earlier:
        text += f"; replaces an earlier run of the command ({earlier['why']}: see run.json)"
    rerun = run.get("unshared_rerun")
    if rerun:
        changed = len(rerun["verdicts_changed"])
        text += (f"; {rerun['wall_seconds'] / 60:.0f} min alone (a rerun: "
                 + (f"{changed} verdict(s) differ, see run.json)" if changed else
                    "the same verdicts)"))
    return text


def write_index(results_root=REPOSITORY / "docs" / "results") -> Path:
    """``docs/results/README.md``: one row per committed hour run."""
    root = Path(results_root)
    rows = []
    for run_file in sorted(root.rglob("run.json")):
        run = json.loads(run_file.read_text())
        folder = run_file.parent.relative_to(root).as_posix()
        rows.append(f"| [{folder}]({folder}/report.md) | `{run['command']}` | "
                    f"{_wall_time(run)} | [claims]({folder}/claims.json) |")
    lines = ["# Hour runs", "",
             "Each reproduction's `--preset hour` run: its `report.md` as written, its tables "
             "as CSV, at most four of its figures, `claims.json` and `run.json` (the exact "
             "command, wall time, machine and git commit). Made with "
             "`python scripts/publish_results.py`; every claim gathered in "
             "[`../claims.md`](../claims.md). A run that shared the CPU with another run "
             "has only an upper bound of its wall time; the same command was then run again "
             "alone, and its `run.json` holds that rerun's time, numbers and every verdict "
             "it changed (`unshared_rerun`). The evidence here stays the published run's; "
             "the board shows the rerun's verdicts beside it and marks a claim on which the "
             "two disagree as unsettled. A one-seed hour run made again with another "
             "`--seed K` is in `NAME/seed_K/` (each its own hour, without figures; its time "
             "is held to the published run's alone time, since another seed is the same "
             "work); the board counts a verdict only when every seed gives it. A command "
             "that runs its seeds itself (`--seeds 3`) spends one hour budget per seed and "
             "says so. A run made again alone with the current code may replace the "
             "published one as the evidence (`--supersedes`); what the replaced run said "
             "stays in `run.json` (`superseded_run`), off the board. A run whose report "
             "stage newer code made again from its own records keeps its times and says so "
             "in its note (`report_commit`, `--redecided`).", "",
             "| run | command | wall time | claims |", "|---|---|---|---|", *rows, ""]
    index = root / "README.md"
    index.write_text("\n".join(lines))
    return index


def publish_unfinished_study(run_dir, name: str, command: str, note: str | None = None,
                             results_root=REPOSITORY / "docs" / "results") -> Path:
    """``results_root/name`` from a zi2zi study that another machine will finish: its
    finished variants' records, grids and a README (no run.json, no verdict)."""
    sys.path.insert(0, str(REPOSITORY))
    from reproductions.zi2zi.carry import publish_unfinished

    target = Path(results_root) / name
    published = publish_unfinished(run_dir, target, command, note=note,
                                   shown=f"docs/results/{Path(name).as_posix()}")
    print(f"finished variants published: {', '.join(published)}")
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir", help="the finished run folder")
    parser.add_argument("name", help="the reproduction (docs/results/NAME)")
    parser.add_argument("--command", help=("the exact command that made the run (a rerun's "
                                           "is read from its claims.json)"))
    parser.add_argument("--seconds", type=float, default=None, help=(
        "its wall time (default: the sum of the invocations the run recorded in "
        "invocations.json, for a run resumed across sessions)"))
    parser.add_argument("--code-dir", default=None,
                        help="the checkout the run used (for its git commit; default: this one)")
    parser.add_argument("--report-commit", default=None,
                        help="the commit whose code rewrote the report after the run, if any")
    parser.add_argument("--note", default=None, help="a sentence on how the run was made")
    parser.add_argument("--cpu-shared-with", default=None, help=(
        "what else ran on the CPU meanwhile (the wall time is then an upper bound)"))
    parser.add_argument("--figures", type=int, default=MAX_FIGURES, help=(
        f"how many of the report's figures to copy (at most {MAX_FIGURES}; 0 for a seed "
        "run published inside another run's folder, whose figures count against it)"))
    parser.add_argument("--hour-budgets", type=int, default=1, help=(
        "how many hour budgets the command spends (the hour preset with --seeds 3: 3)"))
    parser.add_argument("--unshared-rerun", action="store_true", help=(
        "RUN_DIR is a rerun, alone on the CPU, of the run published as NAME whose CPU was "
        "shared: add its wall time (--seconds), numbers and changed verdicts to that "
        "run.json, keep the published evidence"))
    parser.add_argument("--redecided", metavar="NOTE", default=None, help=(
        "RUN_DIR is the run published as NAME, its report stage made again by this "
        "checkout's code (say how, e.g. 'evaluation/done.json deleted, the same command, "
        "15 s'): copy its new report, claims and tables, keep run.json's times"))
    parser.add_argument("--supersedes", metavar="WHY", default=None, help=(
        "RUN_DIR replaces the run published as NAME (say why, e.g. that one shared its "
        "CPU and was judged by an earlier rule); its verdicts, numbers and times stay in "
        "run.json as superseded_run"))
    parser.add_argument("--records", action="store_true", help=(
        "zi2zi: also publish the finished variants' records (NAME/records/, no weights) "
        "that --variants-from reads on another machine; a study whose run has no report "
        "yet publishes only those, its grids and a README saying how to go on"))
    args = parser.parse_args(argv)
    if args.records and not (Path(args.run_dir) / "report.md").is_file():
        if not args.command:
            parser.error("--command is required (the command the next machine goes on with)")
        print(f"wrote {publish_unfinished_study(args.run_dir, args.name, args.command, args.note)}")
        return 0
    if args.redecided:
        print(f"wrote {republish_redecided(args.run_dir, args.name, args.redecided)}")
        return 0
    if args.seconds is None:
        sys.path.insert(0, str(REPOSITORY))
        from reproductions.runner.invocations import wall_seconds

        args.seconds, count = wall_seconds(args.run_dir)
        if not count:
            parser.error(f"{args.run_dir} recorded no invocation (invocations.json): give "
                         "--seconds")
        print(f"wall time: {args.seconds:.0f} s, the sum of {count} invocation(s)")
    if args.unshared_rerun:
        print(f"wrote {record_unshared_rerun(args.name, args.seconds, args.run_dir)}")
        print(f"wrote {write_index()}")
        return 0
    if not args.command:
        parser.error("--command is required (the exact command that made the run)")
    if not 0 <= args.figures <= MAX_FIGURES:
        parser.error(f"--figures takes 0 to {MAX_FIGURES}; got {args.figures}")
    if args.hour_budgets < 1:
        parser.error(f"--hour-budgets takes 1 or more; got {args.hour_budgets}")
    print("wrote " + str(publish(args.run_dir, args.name, args.command, args.seconds,
                                 args.code_dir, report_commit=args.report_commit,
                                 note=args.note, cpu_shared_with=args.cpu_shared_with,
                                 max_figures=args.figures,
                                 hour_budgets=args.hour_budgets,
                                 supersedes=args.supersedes)))
    if args.records:
        from reproductions.zi2zi.carry import write_records

        target = REPOSITORY / "docs" / "results" / args.name / "records"
        print(f"wrote {target}: {', '.join(write_records(args.run_dir, target, figures=False))}")
    print(f"wrote {write_index()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
