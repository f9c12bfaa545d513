"""Two worker processes on 127.0.0.1 train a tiny WGAN-GP under
MultiWorkerMirroredStrategy: the same weights as one process on the same global batch,
files written by the chief only, and a resume after both were killed.

Each worker is a subprocess of this test (tests/_multiworker_helper.py) with its own
TF_CONFIG, free loopback ports and a timeout; the test ends them whatever happens.
"""

import json
import os
import subprocess
import sys

import pytest
from _cluster import free_ports as _free_ports
from _cluster import launch as _launch
from _cluster import max_difference as _max_difference
from _cluster import wait_all as _wait

EPOCHS = 3


def _two_workers(tmp_path, name, epochs, crash_after=None):
    """Run both workers; returns (run folder of the chief, their weights files, outputs)."""
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    run_dir = tmp_path / name
    processes, weights = [], []
    for index in range(2):
        scratch = tmp_path / f"{name}-tmp{index}"
        scratch.mkdir(exist_ok=True)
        weights.append(tmp_path / f"{name}-weights{index}.npz")
        processes.append(_launch(run_dir, weights[-1], scratch, epochs, crash_after,
                                 {"cluster": cluster, "task": {"type": "worker", "index": index}}))
    return run_dir, weights, _wait(processes)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("multiworker")
    scratch = tmp_path / "single-tmp"
    scratch.mkdir()
    single = _wait([_launch(tmp_path / "single", tmp_path / "single.npz", scratch, EPOCHS)])
    assert single[0][0] == 0, single[0][1]
    run_dir, weights, outputs = _two_workers(tmp_path, "pair", EPOCHS)
    assert [code for code, _ in outputs] == [0, 0], outputs
    return tmp_path, run_dir, weights, outputs


def test_two_workers_equal_one_process_on_the_same_global_batch(runs):
    tmp_path, _, weights, outputs = runs
    assert all("replicas 2" in output for _, output in outputs)
    assert _max_difference(tmp_path / "single.npz", weights[0]) < 1e-5
    assert _max_difference(weights[0], weights[1]) < 1e-6  # the replicas agree


def test_only_the_chief_writes_files(runs):
    tmp_path, run_dir, _, _ = runs
    written = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file())
    assert "history.csv" in written and any(p.startswith("checkpoints/ckpt-000003/") for p in written)
    assert len(list((run_dir / "samples").glob("*.png"))) == EPOCHS
    single = tmp_path / "single"
    assert written == sorted(p.relative_to(single).as_posix() for p in single.rglob("*")
                             if p.is_file())
    # worker 1 wrote only into its scratch folder, which it deleted
    assert list((tmp_path / "pair-tmp1").iterdir()) == []


def test_killing_both_workers_and_restarting_resumes_to_the_same_weights(runs, tmp_path):
    uninterrupted = runs[2][0]
    run_dir, weights, outputs = _two_workers(tmp_path, "crash", EPOCHS, crash_after=2)
    assert [code for code, _ in outputs] == [3, 3], outputs
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == [
        "ckpt-000001", "ckpt-000002"]
    run_dir, weights, outputs = _two_workers(tmp_path, "crash", EPOCHS)
    assert [code for code, _ in outputs] == [0, 0], outputs
    assert all("ckpt-000002" in output and "epochs 2->3" in output for _, output in outputs)
    assert _max_difference(uninterrupted, weights[0]) < 1e-5


TINY_MITLGAN = ["--preset", "quick", "--image-size", "16", "--latent-dim", "32",
                "--critic-channels", "4,8,8,8", "--head-filters", "2", "--num-blocks", "1",
                "--variants", "thesis", "--n-images", "32", "--batch-size", "16",
                "--n-critic", "1", "--epochs", "2", "--fid-n", "16", "--fid-input-size", "75",
                "--curve-n", "16", "--judge-images", "48", "--judge-epochs", "1"]


def _reproduction(output, strategy, tf_config=None):
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env.update(MITLGAN_OFFLINE="1", KERAS_HOME=str(output.parent / "empty_keras_home"))
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    command = [sys.executable, "-m", "reproductions.mitlgan", *TINY_MITLGAN,
               "--strategy", strategy, "--output", str(output)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_a_reproduction_runs_on_two_workers_and_only_the_chief_keeps_files(tmp_path):
    ports = _free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    workers = [_reproduction(tmp_path / "pair", "multi-worker",
                             {"cluster": cluster, "task": {"type": "worker", "index": i}})
               for i in range(2)]
    outputs = _wait(workers)
    assert [code for code, _ in outputs] == [0, 0], outputs
    assert "this worker writes" in outputs[1][1] and "this worker writes" not in outputs[0][1]
    # the chief's run folder has what a one-process run writes (test_api.py compares
    # such a run file by file), and nothing is left of worker 1's scratch copy
    assert sorted(p.name for p in (tmp_path / "pair").iterdir()) == ["synthetic"]
    files = _files(tmp_path / "pair" / "synthetic")
    for expected in ("config.json", "run.log", "report.md", "fid.csv", "curves.csv",
                     "judge/done.json", "judge/classifier.keras", "evaluation/done.json",
                     "wgan_combined/done.json", "wgan_combined/generator.keras",
                     "wgan_combined/history.csv", "wgan_combined/samples/epoch_0002.png",
                     "wgan_combined/generator_savedmodel/saved_model.pb", "mitlgan/done.json"):
        assert expected in files
    assert any(f.startswith("wgan_combined/checkpoints/ckpt-000002/") for f in files)
    log = (tmp_path / "pair" / "synthetic" / "run.log").read_text()
    assert "Strategy: multi-worker" in log and "worker-1" not in log
    # worker 1 ran the whole experiment too (in its scratch copy, from the same files)
    assert "Finished. Report:" in outputs[1][1] and ".synthetic.worker-1/report.md" in outputs[1][1]
