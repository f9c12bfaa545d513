"""The shared experiment runner, driven through a two-stage toy reproduction
(``tests/fixtures/toy_reproduction.py``) in subprocesses: killed, resumed, refused."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mitlgan.files import write_json_atomic
from reproductions.runner.engine import config_differences

TOY = Path(__file__).parent / "fixtures" / "toy_reproduction.py"
REPO = Path(__file__).resolve().parents[1]


def _toy(output, *flags, env=None):
    """Run the toy to the end; returns (exit code, stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, str(TOY), "--preset", "quick", "--output", str(output), *flags],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    return done.returncode, done.stdout, done.stderr


def _kill_in_second_stage(output):
    """Start the toy told to hang in stage 2; SIGKILL it once stage 2 has begun."""
    process = subprocess.Popen(
        [sys.executable, str(TOY), "--preset", "quick", "--output", str(output)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "TOY_HOLD": "1"},
    )
    lines = []
    deadline = time.monotonic() + 120
    for line in process.stdout:
        lines.append(line)
        if "holding in total" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return process.returncode, "".join(lines)


@pytest.fixture(scope="module")
def killed_then_resumed(tmp_path_factory):
    output = tmp_path_factory.mktemp("runs")
    run_dir = output / "toy"
    code, first = _kill_in_second_stage(output)
    state = {
        "run_dir": run_dir, "first": first, "first_code": code,
        "done_after_kill": sorted(p.parent.name for p in run_dir.glob("*/done.json")),
        "numbers_mtime": (run_dir / "count" / "numbers.txt").stat().st_mtime_ns,
    }
    state["second"] = _toy(output)
    state["output"] = output
    return state


def test_the_kill_came_after_stage_one_finished(killed_then_resumed):
    assert killed_then_resumed["first_code"] == -signal.SIGKILL
    assert "[1/2] count: write the numbers 1..n\n" in killed_then_resumed["first"]
    assert "[2/2] total: add them up" in killed_then_resumed["first"]
    assert killed_then_resumed["done_after_kill"] == ["count"]


def test_resume_skips_stage_one_and_finishes_stage_two(killed_then_resumed):
    code, out, err = killed_then_resumed["second"]
    run_dir = killed_then_resumed["run_dir"]
    assert code == 0, err
    assert "[1/2] count: write the numbers 1..n -- done earlier, skipped" in out
    assert "[2/2] total: add them up\n" in out
    assert (run_dir / "count" / "numbers.txt").stat().st_mtime_ns == \
        killed_then_resumed["numbers_mtime"]
    done = json.loads((run_dir / "total" / "done.json").read_text())
    assert done["total"] == 1 + 2 + 3 + 4 + 5  # the quick preset counts to 5
    assert done["tensorflow_imported"] is False  # the runner itself needs no TensorFlow
    assert done["seconds_this_run"] >= 0
    assert json.loads((run_dir / "config.json").read_text()) == {
        "n": 5, "preset": "quick", "seed": 0}


def test_the_run_log_keeps_both_runs(killed_then_resumed):
    log = (killed_then_resumed["run_dir"] / "run.log").read_text()
    assert log.count("=== ") == 2 and log.count("python -m toy --preset quick") == 2
    assert "holding in total" in log and "done earlier, skipped" in log


def test_a_changed_config_is_refused_and_restart_accepts_it(killed_then_resumed):
    output, run_dir = killed_then_resumed["output"], killed_then_resumed["run_dir"]
    before = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*"))
    code, out, err = _toy(output, "--n", "7")
    assert code == 2
    assert "different configuration" in err and "n: 5 -> 7" in err and "--restart" in err
    assert sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*")) == before

    code, out, err = _toy(output, "--n", "7", "--restart")
    assert code == 0, err
    assert "--restart: deleting" in out and "done earlier" not in out
    assert json.loads((run_dir / "total" / "done.json").read_text())["total"] == 28


def test_until_stops_after_the_named_stage(tmp_path):
    code, out, _ = _toy(tmp_path, "--until", "count")
    assert code == 0
    assert "Stopped after count (--until)" in out and "[2/2]" not in out
    assert not (tmp_path / "toy" / "total").exists()


def test_a_failing_stage_writes_no_done_file_and_says_so(tmp_path):
    code, out, err = _toy(tmp_path, env={"TOY_FAIL": "1"})
    assert code == 1 and "RuntimeError: told to fail" in err
    assert "Stage total failed" in out and "the same command resumes" in out
    assert not (tmp_path / "toy" / "total" / "done.json").exists()
    assert (tmp_path / "toy" / "count" / "done.json").exists()


def test_a_lost_worker_ends_the_run_with_code_3_and_its_name(tmp_path):
    code, out, err = _toy(tmp_path, env={"TOY_FAIL": "lost"})
    assert code == 3 and "Traceback" not in err
    assert "total: worker 1 (10.0.0.2:2222) stopped answering" in out
    assert "Finished stages are kept" in out
    assert not (tmp_path / "toy" / "total" / "done.json").exists()


@pytest.mark.parametrize("flags, message", [
    (["--n", "5000"], "--n 5000 is more than this toy counts"),
    (["--n", "0"], "--n must be a positive integer, got '0'"),
    (["--until", "nowhere"], "argument --until: invalid choice: 'nowhere'"),
])
def test_bad_input_exits_2_before_any_folder(tmp_path, flags, message):
    code, _, err = _toy(tmp_path / "out", *flags)
    assert code == 2 and message in err
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_not_a_run_is_refused(tmp_path):
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "holiday.jpg").write_bytes(b"")
    code, _, err = _toy(tmp_path)
    assert code == 2 and "is not a run of this program (no config.json)" in err


def test_config_differences_and_atomic_json(tmp_path):
    assert config_differences({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": None}) == [
        "b: [1, 2] -> [1, 3]"]  # a key missing on one side and None on the other is no change
    assert config_differences({"a": 1}, {"a": 2, "c": 0}) == ["a: 1 -> 2", "c: None -> 0"]
    # a fallback's reason reworded by newer code is no new setting; a fallback taken in
    # one run and not in the other is
    old = {"backbone_fallback": "the weights cannot be had offline"}
    assert config_differences(old, {"backbone_fallback": "no weights (install them)"},
                              wording=("backbone_fallback",)) == []
    assert config_differences(old, {"backbone_fallback": None}, wording=("backbone_fallback",)) \
        == ["backbone_fallback: 'the weights cannot be had offline' -> None"]
    path = tmp_path / "x.json"
    write_json_atomic(path, {"b": 1, "a": [1.5]})
    assert path.read_text() == '{\n  "a": [\n    1.5\n  ],\n  "b": 1\n}\n'
    assert not list(tmp_path.glob("*.tmp"))


def test_a_stage_deciding_flag_is_read_before_the_full_parse():
    from reproductions.runner.flags import preparsed_option

    choices = ("mlp", "ablations")
    assert preparsed_option(["--study", "ablations", "--epochs", "2"], "--study", choices,
                            "mlp") == "ablations"
    assert preparsed_option(["--epochs", "2"], "--study", choices, "mlp") == "mlp"
    # an unknown value falls back; the full parser reports it afterwards
    assert preparsed_option(["--study", "nope"], "--study", choices, "mlp") == "mlp"
    assert preparsed_option(["--benchmark", "stacked-mnist"], "--benchmark",
                            ("stacked-mnist",), None) == "stacked-mnist"


_TENSORFLOW_START = (
    "import os, sys\n"
    "from reproductions.runner.quiet import start_tensorflow_quietly\n"
    "start_tensorflow_quietly()\n"
    "import keras\n"
    "keras.layers.Dense(2)(keras.ops.ones((1, 3)))\n"
    "os.write(2, b'E0000 00:00:1.5   42 meta_optimizer.cc:967] remapper failed: x\\n')\n"
    "print('a real problem', file=sys.stderr)\n"
    "import tensorflow as tf\n"
    "tf.get_logger().warning('5 out of the last 9 calls to <f> triggered tf.function "
    "retracing. Tracing is expensive')\n"
    "tf.get_logger().warning('a kept TensorFlow warning')\n"
)


def _start_tensorflow(**environment):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env.update(environment)
    result = subprocess.run([sys.executable, "-c", _TENSORFLOW_START], env=env, text=True,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_tensorflow_chatter_is_hidden_but_other_stderr_lines_are_kept():
    quiet = _start_tensorflow()
    lines = quiet.strip().splitlines()
    assert lines[0] == "a real problem" and "a kept TensorFlow warning" in lines[-1]
    assert len(lines) == 2  # the expected retracing warning is dropped


def test_a_user_set_log_level_shows_what_tensorflow_prints():
    loud = _start_tensorflow(TF_CPP_MIN_LOG_LEVEL="0")
    assert "remapper failed" in loud and "a real problem" in loud
    assert "a kept TensorFlow warning" in loud and "retracing" not in loud
    assert len(loud.strip().splitlines()) > 2  # TensorFlow's own start-up lines


def test_a_second_process_on_the_run_folder_is_refused_until_the_first_dies(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, str(TOY), "--preset", "quick", "--output", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "TOY_HOLD": "1"})
    try:
        for line in holder.stdout:
            if "holding in total" in line:
                break
        code, out, err = _toy(tmp_path)
        assert code == 2, out + err
        assert str(tmp_path / "toy") in err and f"process {holder.pid}" in err
        assert "Traceback" not in err
        assert not (tmp_path / "toy" / "total" / "done.json").exists()  # nothing written
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    # the operating system dropped the killed process's lock: the same command resumes
    code, out, err = _toy(tmp_path)
    assert code == 0, out + err
    assert json.loads((tmp_path / "toy" / "total" / "total.json").read_text())["total"] > 0


def test_a_terminated_run_stops_as_an_interrupted_one_and_records_its_invocation(tmp_path):
    from reproductions.runner.invocations import read_invocations

    # `kill PID` of a background run (nohup ... &: such a job ignores Ctrl-C's SIGINT)
    holder = subprocess.Popen(
        [sys.executable, str(TOY), "--preset", "quick", "--output", str(tmp_path)],
        stdout=subprocess.PIPE, text=True, cwd=REPO, env={**os.environ, "TOY_HOLD": "1"})
    for line in holder.stdout:
        if "holding in total" in line:
            break
    holder.send_signal(signal.SIGTERM)
    out = holder.stdout.read()
    assert holder.wait(timeout=60) == 130
    assert "Interrupted during total" in out and "run the same command to resume" in out
    assert [r["exit"] for r in read_invocations(tmp_path / "toy")] == [130]


def test_each_invocation_is_recorded_and_a_killed_one_leaves_no_record(killed_then_resumed,
                                                                       tmp_path):
    from reproductions.runner.invocations import read_invocations, wall_seconds

    # SIGKILL gives no chance to write; the resumed invocation is recorded
    resumed = read_invocations(killed_then_resumed["run_dir"])
    assert [r["exit"] for r in resumed] == [0]
    assert resumed[0]["command"].startswith("python -m toy --preset quick")
    # a run stopped with --until and resumed: two invocations, their sum is its wall time
    assert _toy(tmp_path, "--until", "count")[0] == 0
    assert _toy(tmp_path)[0] == 0
    records = read_invocations(tmp_path / "toy")
    assert [r["exit"] for r in records] == [0, 0] and "--until count" in records[0]["command"]
    assert wall_seconds(tmp_path / "toy") == (round(sum(r["seconds"] for r in records), 1), 2)
    assert all(r["seconds"] >= 0 and r["started"] <= records[-1]["started"] for r in records)
