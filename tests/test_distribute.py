"""Strategy choice and the chief rule (no cluster is started here; see test_multiworker.py)."""

import json

import pytest
import tensorflow as tf
from _cli_helpers import run_main

from mitlgan.distribute import (
    STRATEGIES,
    StrategyError,
    is_chief,
    lost_worker_message,
    make_strategy,
    worker_task,
)
from reproductions.palindrome.run import main as palindrome_main
from reproductions.runner import workers as _workers


def test_the_runner_offers_the_librarys_strategies():
    assert _workers.STRATEGIES == STRATEGIES


def _cluster(monkeypatch, task, chief=False):
    cluster = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    if chief:
        cluster["chief"] = ["127.0.0.1:3"]
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))


def test_the_chief_is_worker_zero_or_the_named_chief(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert worker_task() == ("worker", 0, 1) and is_chief()
    _cluster(monkeypatch, {"type": "worker", "index": 0})
    assert worker_task() == ("worker", 0, 2) and is_chief()
    _cluster(monkeypatch, {"type": "worker", "index": 1})
    assert not is_chief()
    _cluster(monkeypatch, {"type": "worker", "index": 0}, chief=True)
    assert worker_task()[2] == 3 and not is_chief()
    _cluster(monkeypatch, {"type": "chief", "index": 0}, chief=True)
    assert is_chief()


def test_bad_setups_are_named(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(StrategyError, match="TF_CONFIG is not a valid cluster description"):
        worker_task()
    monkeypatch.delenv("TF_CONFIG")
    with pytest.raises(StrategyError, match="needs the cluster in TF_CONFIG"):
        make_strategy("multi-worker")
    with pytest.raises(StrategyError, match="unknown strategy 'ring'"):
        make_strategy("ring")


def test_one_device_is_the_default_strategy_and_auto_picks_it_without_gpus():
    assert make_strategy("one") is tf.distribute.get_strategy()
    if not tf.config.list_physical_devices("GPU"):
        assert make_strategy("auto").num_replicas_in_sync == 1


def test_the_command_line_refuses_multi_worker_without_a_cluster(tmp_path, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    code, _, err = run_main(palindrome_main, ["--strategy", "multi-worker", "--output",
                                              str(tmp_path)])
    assert code == 2 and "TF_CONFIG" in err
    assert list(tmp_path.iterdir()) == []


# what TensorFlow 2.21 raised in the two-worker runs of test_multiworker_lost.py
UNHEALTHY = ("Graph execution error:\n\nDetected at node CollectiveReduceV2 ... "
             "/job:worker/replica:0/task:0/device:CPU:0\nCollective ops is aborted by: Error "
             "reported from /job:worker/task:1: The following tasks are unhealthy (stopped "
             "sending heartbeats):\n/job:worker/replica:0/task:1\nThe tasks have crashed.")
SOCKET_CLOSED = ("Graph execution error:\nAdditional GRPC error information from remote target "
                 "/job:worker/replica:0/task:0 while calling /tensorflow.WorkerService/RecvBuf:"
                 '\n:UNKNOWN:Error received from peer  {grpc_status:14, grpc_message:"Socket '
                 'closed"}')
TIMED_OUT = "Collective has timed out waiting for other workers. [[{{node CollectiveReduceV2}}]]"


def test_a_lost_worker_is_named_with_its_address(monkeypatch):
    _cluster(monkeypatch, {"type": "worker", "index": 0})
    message = lost_worker_message(tf.errors.UnavailableError(None, None, UNHEALTHY))
    assert "stopped on worker 0: lost: worker 1 (127.0.0.1:2) stopped answering" in message
    _cluster(monkeypatch, {"type": "worker", "index": 1})
    message = lost_worker_message(tf.errors.UnavailableError(None, None, SOCKET_CLOSED))
    assert "stopped on worker 1: lost: worker 0 (127.0.0.1:1) stopped answering" in message
    # a bare timeout names no task: every other worker is a suspect, the chief too
    _cluster(monkeypatch, {"type": "worker", "index": 1}, chief=True)
    message = lost_worker_message(tf.errors.DeadlineExceededError(None, None, TIMED_OUT),
                                  timeout=20)
    assert ("did not complete within 20 s: chief 0 (127.0.0.1:3), worker 0 (127.0.0.1:1) "
            "hung or died") in message


def test_other_errors_and_one_process_runs_are_not_lost_workers(monkeypatch):
    _cluster(monkeypatch, {"type": "worker", "index": 0})
    assert lost_worker_message(tf.errors.InvalidArgumentError(None, None, UNHEALTHY)) is None
    assert lost_worker_message(ValueError(UNHEALTHY)) is None
    monkeypatch.delenv("TF_CONFIG")
    assert lost_worker_message(tf.errors.UnavailableError(None, None, UNHEALTHY)) is None


def test_a_workers_copy_leaves_out_what_the_chief_is_still_writing(tmp_path):
    # the chief writes done.json and checkpoints under temporary names and renames them:
    # a worker copying the stage meanwhile must not trip on a file that vanishes
    source = tmp_path / "chief" / "stage"
    (source / "checkpoints" / ".tmp-ckpt-000002-abc").mkdir(parents=True)
    (source / "checkpoints" / "ckpt-000001").mkdir()
    (source / "checkpoints" / "ckpt-000001" / "meta.json").write_text("{}")
    (source / ".done.json.123.tmp").write_text("{")
    (source / "history.csv").write_text("epoch\n1\n")
    target = tmp_path / "worker" / "stage"
    _workers.copy_while_written(source, target)
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert copied == ["checkpoints", "checkpoints/ckpt-000001", "checkpoints/ckpt-000001/meta.json",
                      "history.csv"]
