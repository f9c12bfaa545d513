"""The committed evidence: ``docs/results/NAME/`` from each reproduction's hour run."""

import importlib
import importlib.util
import json
import re
import shlex
import string
from pathlib import Path

import pytest

RESULTS = Path(__file__).resolve().parents[1] / "docs" / "results"
REPRODUCTIONS = ("mitlgan", "mnist_gans", "dcgan", "zi2zi", "palindrome")
#: reproductions whose hour run has not landed yet (issue 25): each leaves this set in
#: the commit that adds its docs/results folder
AWAITING_HOUR_RUN: set[str] = set()
RUN_KEYS = {"command", "preset", "wall_seconds", "machine", "git_commit"}


def _alone_seconds(run: dict) -> float:
    """The run's wall time, or its rerun's alone when its CPU was shared."""
    if not run.get("cpu_shared_with"):
        return run["wall_seconds"]
    return run.get("unshared_rerun", {}).get("wall_seconds", run["wall_seconds"])


def _without(argv: list[str], flag: str) -> list[str]:
    """``argv`` without ``flag VALUE`` and ``flag=VALUE``."""
    kept, skip = [], False
    for token in argv:
        if skip:
            skip = False
        elif token == flag:
            skip = True
        elif not token.startswith(flag + "="):
            kept.append(token)
    return kept


def _without_seed(command: str) -> list[str]:
    return _without(_without(shlex.split(command), "--seed"), "--output")


def _names_a_seed(command: str) -> bool:
    return _without(shlex.split(command), "--seed") != shlex.split(command)


def _run_id(run_file: Path) -> str:
    return run_file.parent.relative_to(RESULTS).as_posix()


def _run_files():
    return sorted(RESULTS.rglob("run.json"))


def test_every_reproduction_has_its_hour_results_or_is_awaited():
    present = {name for name in REPRODUCTIONS if list((RESULTS / name).rglob("run.json"))}
    assert present == set(REPRODUCTIONS) - AWAITING_HOUR_RUN
    assert (RESULTS / "README.md").is_file()
    readme = (RESULTS / "README.md").read_text()
    for path in _run_files():
        assert path.parent.relative_to(RESULTS).as_posix() in readme  # linked from the index


@pytest.mark.parametrize("run_file", _run_files(), ids=_run_id)
def test_each_run_names_a_command_its_reproduction_accepts(run_file, tmp_path):
    run = json.loads(run_file.read_text())
    assert RUN_KEYS <= set(run) and run["preset"] in ("hour", "full")
    if run["preset"] == "full":  # the document's own budget (NAME/full): no hour to fit
        _, config, _ = _prepare(run["command"], run_file, tmp_path)
        assert config["preset"] == "full"
        return
    # An hour preset fits an hour on a 2-core CPU of its own; a run that shared the CPU
    # with another training run says with which, and its wall time is only an upper bound:
    # then the same command run alone must have fitted. A command that spends several hour
    # budgets (the hour preset with --seeds 3, each seed its own hour) says how many.
    alone = _alone_seconds(run)
    parent = run_file.parent.parent / "run.json"
    if run.get("cpu_shared_with") and _names_a_seed(run["command"]) and parent.is_file():
        # a seed run of the published run above it: another seed is the same work
        published = json.loads(parent.read_text())
        assert _without_seed(published["command"]) == _without_seed(run["command"])
        alone = _alone_seconds(published)
    assert alone <= 3600 * run.get("hour_budgets", 1), f"{run_file}: {alone} s"
    _, config, _ = _prepare(run["command"], run_file, tmp_path)
    assert config["preset"] == "hour"


def _prepare(command: str, run_file, tmp_path):
    """The reproduction's ``prepare`` of a published command (its output redirected)."""
    argv = shlex.split(command)
    assert argv[:2] == ["python", "-m"] and argv[2].startswith("reproductions.")
    name = argv[2].split(".")[1]
    assert run_file.relative_to(RESULTS).parts[0] == name
    flags = argv[3:]
    if "--output" in flags:  # validate without touching the run's own folder
        flags[flags.index("--output") + 1] = str(tmp_path)
    if "--dataset" in flags and flags[flags.index("--dataset") + 1] != "synthetic":
        # a prepared real dataset is the user's; a two-image stand-in lets the flags parse
        from PIL import Image

        dataset = flags[flags.index("--dataset") + 1]
        for part in ("foreground", "background", "combined"):
            folder = tmp_path / "data" / dataset / part
            folder.mkdir(parents=True)
            for index in range(2):
                Image.new("RGB", (32, 32), (index * 90, 40, 40)).save(folder / f"{index}.png")
        flags += ["--data-root", str(tmp_path / "data")]
    if "--charset" in flags:
        # the user's fonts and charset file (Debian's CJK fonts): matplotlib's own fonts
        # and a Latin charset they share let the flags parse on a machine without them
        import matplotlib

        fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        bundled = iter(["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf",
                        "DejaVuSans-Bold.ttf"])
        for index, flag in enumerate(flags[:-1]):
            if flag in ("--source-font", "--target-font"):
                flags[index + 1] = str(fonts / next(bundled))
        charset = tmp_path / "charset.txt"
        charset.write_text(string.ascii_letters + string.digits, encoding="utf-8")
        flags[flags.index("--charset") + 1] = str(charset)
    return importlib.import_module(f"reproductions.{name}.run").prepare(flags)


def test_an_unfinished_study_holds_only_records_grids_and_how_to_go_on():
    # published with scripts/publish_results.py --records before the study finished
    for records in sorted(RESULTS.rglob("records")):
        folder = records.parent
        if (folder / "run.json").is_file():
            continue  # a finished run that keeps its variants' records
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert {p.suffix for p in files} <= {".md", ".csv", ".json", ".png"}
        pngs = [p for p in files if p.suffix == ".png"]
        assert len(pngs) <= 4 and all(p.stat().st_size <= 400 * 1024 for p in pngs)
        readme = (folder / "README.md").read_text()
        assert f"--variants-from {folder.relative_to(RESULTS.parents[1]).as_posix()}/records" \
            in readme
        assert not any(p.name.startswith("generator") for p in files)


@pytest.mark.parametrize("run_file", _run_files(), ids=_run_id)
def test_only_the_allowed_files_are_committed(run_file):
    folder = run_file.parent
    # the run's own files: a run published inside it (NAME/seed_1, mitlgan/pokemon) has its own
    nested = [p.parent for p in folder.rglob("run.json") if p.parent != folder]
    nested += [p.parent for p in folder.rglob("records") if p.parent != folder]  # unfinished
    pngs = [p for p in folder.rglob("*.png") if not any(n in p.parents for n in nested)]
    assert len(pngs) <= 4 and all(p.stat().st_size <= 400 * 1024 for p in pngs)
    allowed = {".md", ".csv", ".json", ".png"}
    assert all(p.suffix in allowed for p in folder.rglob("*") if p.is_file())
    assert (folder / "report.md").is_file() and (folder / "claims.json").is_file()


def _publisher():
    path = RESULTS.parents[1] / "scripts" / "publish_results.py"
    spec = importlib.util.spec_from_file_location("publish_results", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _claims(verdict: str, numbers: str) -> dict:
    return {"command": "python -m reproductions.zi2zi --preset hour", "claims": [
        {"id": "000-style", "claim": "style", "seed": "000", "verdict": verdict,
         "numbers": numbers}]}


def test_an_unshared_rerun_adds_its_time_and_the_verdicts_it_changed(tmp_path):
    publisher = _publisher()
    published = tmp_path / "results" / "zi2zi"
    published.mkdir(parents=True)
    run = {"command": "python -m reproductions.zi2zi --preset hour", "preset": "hour",
           "wall_seconds": 3817, "cpu_shared_with": "another run"}
    (published / "run.json").write_text(json.dumps(run))
    (published / "claims.json").write_text(json.dumps(_claims("supported", "L1 0.026")))
    rerun = tmp_path / "rerun"
    rerun.mkdir()
    (rerun / "claims.json").write_text(json.dumps(_claims("supported", "L1 0.025")))
    publisher.record_unshared_rerun("zi2zi", 1500.4, rerun, results_root=tmp_path / "results")
    written = json.loads((published / "run.json").read_text())
    assert written["wall_seconds"] == 3817  # the published run's own time stays
    assert written["unshared_rerun"]["wall_seconds"] == 1500
    assert written["unshared_rerun"]["numbers"] == {"000-style": "L1 0.025"}
    assert written["unshared_rerun"]["verdicts_changed"] == {}
    index = publisher.write_index(tmp_path / "results").read_text()
    assert "64 min (at most: the CPU was shared); 25 min alone (a rerun: the same" in index
    seeds = {**run, "command": run["command"] + " --seeds 3", "wall_seconds": 7200,
             "hour_budgets": 3}
    (published / "seeds").mkdir()
    (published / "seeds" / "run.json").write_text(json.dumps(seeds))
    assert "120 min (at most: the CPU was shared) for 3 hour budgets" in \
        publisher.write_index(tmp_path / "results").read_text()
    (published / "seeds" / "run.json").unlink()

    (rerun / "claims.json").write_text(json.dumps(_claims("not supported", "L1 0.2")))
    publisher.record_unshared_rerun("zi2zi", 1000, rerun, results_root=tmp_path / "results")
    written = json.loads((published / "run.json").read_text())
    assert written["unshared_rerun"]["verdicts_changed"] == {
        "000-style": {"published": "supported", "rerun": "not supported"}}
    assert "1 verdict(s) differ" in publisher.write_index(tmp_path / "results").read_text()

    other = _claims("supported", "x")
    other["claims"][0]["id"] = "000-other"
    (rerun / "claims.json").write_text(json.dumps(other))
    with pytest.raises(SystemExit, match="other claims"):
        publisher.record_unshared_rerun("zi2zi", 1000, rerun, results_root=tmp_path / "results")


def test_a_superseded_run_keeps_its_verdicts_numbers_and_times_in_the_record(tmp_path):
    publisher = _publisher()
    published = tmp_path / "results" / "zi2zi"
    published.mkdir(parents=True)
    run = {"command": "python -m reproductions.zi2zi --preset hour", "preset": "hour",
           "wall_seconds": 3817, "git_commit": "abc", "cpu_shared_with": "another run",
           "unshared_rerun": {"wall_seconds": 1500}}
    (published / "run.json").write_text(json.dumps(run))
    (published / "claims.json").write_text(json.dumps(_claims("not supported", "L1 0.3")))
    record = publisher.superseded_record(published, "judged by an earlier rule")
    assert record == {"why": "judged by an earlier rule", "command": run["command"],
                      "wall_seconds": 3817, "git_commit": "abc",
                      "cpu_shared_with": "another run",
                      "verdicts": {"000-style": "not supported"},
                      "numbers": {"000-style": "L1 0.3"}}
    replacing = {**run, "wall_seconds": 1500, "superseded_run": record}
    del replacing["cpu_shared_with"], replacing["unshared_rerun"]
    (published / "run.json").write_text(json.dumps(replacing))
    index = publisher.write_index(tmp_path / "results").read_text()
    assert "25 min; replaces an earlier run of the command (judged by an earlier rule" in index


def test_a_seed_flag_is_told_from_the_seeds_flag():
    assert _names_a_seed("python -m reproductions.x --seed 1") and \
        _names_a_seed("python -m reproductions.x --seed=2 --output o")
    assert not _names_a_seed("python -m reproductions.x --seeds 3")
    assert _without_seed("python -m r --seed=2 --output=o --seeds 3") == \
        ["python", "-m", "r", "--seeds", "3"]


def test_publishing_copies_the_records_and_writes_commands_as_a_user_types_them(tmp_path):
    from reproductions.runner.records import TableRecords

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({"preset": "hour"}))
    (run_dir / "report.md").write_text("# a report\n")
    TableRecords(run_dir).table("claims", ["claim", "verdict"], [["style", "supported"]])
    local = "python -m reproductions.zi2zi --preset hour --output /work/hour_runs"
    (run_dir / "claims.json").write_text(json.dumps({**_claims("supported", "L1"), "command": local}))
    # a run resumed across sessions: each invocation is published, as a user types it
    (run_dir / "invocations.json").write_text(json.dumps(
        [{"command": local + " --data-root /home/me/data", "seconds": 600.0}] * 2))
    target = _publisher().publish(run_dir, "zi2zi", local, 1200, results_root=tmp_path / "results")
    assert (target / "tables" / "claims.csv").read_text() == "claim,verdict\nstyle,supported\n"
    for name in ("run.json", "claims.json"):
        record = json.loads((target / name).read_text())
        assert record["command"] == "python -m reproductions.zi2zi --preset hour --output runs"
    calls = json.loads((target / "run.json").read_text())["invocations"]
    assert [call["command"] for call in calls] == [
        "python -m reproductions.zi2zi --preset hour --output runs --data-root data"] * 2


def test_a_redecided_run_replaces_its_claims_and_keeps_its_times(tmp_path):
    from reproductions.runner.records import TableRecords

    publisher = _publisher()
    published = tmp_path / "results" / "zi2zi"
    (published / "seed_1").mkdir(parents=True)
    (published / "seed_1" / "run.json").write_text("{}")  # a run of its own inside: kept
    run = {"command": "python -m reproductions.zi2zi --preset hour --output runs",
           "wall_seconds": 3817, "git_commit": "abc", "report_commit": "abc",
           "note": "alone", "figures": []}
    (published / "run.json").write_text(json.dumps(run))
    (published / "claims.json").write_text(json.dumps(_claims("not supported", "L1 0.3")))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.json").write_text(json.dumps({"preset": "hour"}))
    (run_dir / "report.md").write_text("# the report made again\n")
    TableRecords(run_dir).table("claims", ["claim", "verdict"], [["style", "inconclusive"]])
    (run_dir / "claims.json").write_text(json.dumps(
        {**_claims("inconclusive", "L1 0.3"), "command": run["command"].replace("runs", "/w")}))
    publisher.republish_redecided(run_dir, "zi2zi", "report made again by newer code",
                                  results_root=tmp_path / "results")
    written = json.loads((published / "run.json").read_text())
    assert written["wall_seconds"] == 3817 and written["git_commit"] == "abc"
    assert written["report_commit"] != "abc"  # this checkout's commit
    assert written["note"] == "alone; report made again by newer code"
    claims = json.loads((published / "claims.json").read_text())
    assert claims["claims"][0]["verdict"] == "inconclusive"
    assert claims["command"] == run["command"]  # as a user types it
    assert (published / "report.md").read_text() == "# the report made again\n"
    assert (published / "seed_1" / "run.json").is_file()


def test_a_published_report_names_no_folder_of_the_machine_that_made_it():
    """The configuration block's charset file reads by its name, as the command does;
    Debian's font paths (where the package installs them) stay."""
    made = '{\n  "charset_file": "/work/data/cjk/gb2312_top1000.txt",\n  "source_fonts": [\n' \
           '    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"\n  ]\n}'
    typed = _publisher().typed_report(made)
    assert '"charset_file": "gb2312_top1000.txt"' in typed and "/work/" not in typed
    assert "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc" in typed
    for report in RESULTS.rglob("report.md"):
        text = report.read_text(encoding="utf-8")
        assert not re.search(r'"/(?:work|tmp|home|root)/', text), report


def _finished_variant(run_dir, variant, done=None):
    (run_dir / variant / "seed_0").mkdir(parents=True)
    (run_dir / variant / "done.json").write_text(json.dumps(done or {"seconds_this_run": 3000}))
    (run_dir / variant / "seed_0" / "result.json").write_text(json.dumps({"scores": {
        "t1": {"l1": 0.1, "ssim": 0.6}, "t2": {"l1": 0.2, "ssim": 0.8},
        "style_spread": {"generated": 0.05, "targets": 0.06},
        "nearest_style": {"rate": 0.9, "chance": 0.5, "pairs": 4}}}))
    (run_dir / variant / "seed_0" / "history.csv").write_text("epoch,held_out_l1\n1,0.1\n")
    (run_dir / variant / "seed_0" / "generator.keras").write_bytes(b"weights")


def test_an_unfinished_study_publishes_its_variants_records_and_how_to_go_on(tmp_path):
    from PIL import Image

    from reproductions.zi2zi.carry import find_carried
    from reproductions.zi2zi.config import Zi2ZiSettings

    run_dir = tmp_path / "run"
    (run_dir / "data").mkdir(parents=True)
    config = {"study": "l1", "preset": "full", "fonts": "cjk", "source_fonts": ["/f/s.ttc"],
              "target_fonts": ["/f/t1.ttc", "/f/t2.ttc"], "epochs": 100,
              "train_chars_available": 6, "held_out_fraction": 0.2, "batch_size": 16,
              "channels": 3, "embedding_num": 10, "l1_weight": 100.0, "width": 16, "seed": 0,
              "seeds": 1, "classifier_epochs": 40, "min_styles": 10,
              "charset_file": "/work/data/cjk/top.txt"}
    (run_dir / "config.json").write_text(json.dumps(config))
    data = {"train_chars": "abcdef", "held_out_chars": "xy", "source_fonts": ["s"],
            "target_fonts": ["t1", "t2"], "skipped": {}}
    (run_dir / "data" / "done.json").write_text(json.dumps(data))
    _finished_variant(run_dir, "l1_10")
    Image.new("RGB", (32, 32)).save(run_dir / "l1_10" / "grid_l1_10.png")
    (run_dir / "l1_1000" / "seed_0" / "checkpoints").mkdir(parents=True)  # interrupted
    local = ("python -m reproductions.zi2zi --study l1 --charset /work/data/cjk/top.txt "
             "--output /work/full_runs/zi2zi_cjk")
    _finished_variant(run_dir, "l1_100", {"carried_from": {
        "study": "epochs", "variant": "epochs_x1", "trained_seconds": 1800,
        "hosts": ["machine-b"], "commands": [], "folder": "/work/docs/results/x/records"}})
    (run_dir / "invocations.json").write_text(json.dumps(
        [{"command": local + " --until l1_100 --variants-from /work/docs/results/x/records",
          "seconds": 3100.0, "host": "machine-a"}]))
    target = _publisher().publish_unfinished_study(run_dir, "zi2zi/full/l1", local,
                                                   note="alone on 2 cores",
                                                   results_root=tmp_path / "results")
    files = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert files == {"README.md", "grid_l1_10.png", "records/config.json",
                     "records/invocations.json", "records/data/done.json",
                     *(f"records/{v}/{f}" for v in ("l1_10", "l1_100") for f in (
                         "done.json", "seed_0/result.json", "seed_0/history.csv"))}
    # no weights, no run.json
    readme = (target / "README.md").read_text()
    assert "`l1_10` (50 min), `l1_100` (30 min) of the study's 4 variants" in readme
    assert "machine-a" in readme
    assert "| `l1_10` | 0.150 | 0.700 | 0.900 (0.500) | 0.0500 |" in readme  # style means
    assert "alone on 2 cores" in readme
    assert ("python -m reproductions.zi2zi --study l1 --charset top.txt --output runs "
            "--variants-from docs/results/zi2zi/full/l1/records") in readme
    calls = (target / "records" / "invocations.json").read_text()
    assert "/work" not in calls and "--variants-from docs/results/x/records" in calls
    carried_done = json.loads((target / "records" / "l1_100" / "done.json").read_text())
    assert carried_done["carried_from"]["folder"] == "docs/results/x/records"
    found = find_carried([target / "records"], Zi2ZiSettings.from_config(config), data, "l1_10")
    assert found is not None and found[2] == "l1_10"

    # the study finished on another machine: run.json says which variants came from where
    (run_dir / "report.md").write_text("# a report\n")
    (run_dir / "claims.json").write_text(json.dumps(_claims("supported", "L1")))
    carried = {"study": "l1", "variant": "l1_10", "trained_seconds": 3000,
               "hosts": ["machine-a"], "commands": [local], "folder": "records"}
    (run_dir / "l1_10" / "done.json").write_text(json.dumps({"carried_from": carried}))
    publisher = _publisher()
    target = publisher.publish(run_dir, "zi2zi/full/l1", local, 600,
                               results_root=tmp_path / "results")
    run = json.loads((target / "run.json").read_text())
    assert run["carried_variants"] == [
        {"variant": "l1_10", "study": "l1", "from_variant": "l1_10", "trained_seconds": 3000,
         "hosts": ["machine-a"]},
        {"variant": "l1_100", "study": "epochs", "from_variant": "epochs_x1",
         "trained_seconds": 1800, "hosts": ["machine-b"]}]
    assert publisher._wall_time(run) == ("10 min here, and 80 min on another machine for "
                                         "l1_10, l1_100 (carried)")
