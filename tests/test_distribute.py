"""Strategy choice and the chief rule (no cluster is started here; see test_multiworker.py)."""

import json

import pytest
import tensorflow as tf
from _cli_helpers import run_main

from mitlgan.distribute import STRATEGIES, StrategyError, is_chief, make_strategy, worker_task
from reproductions import _workers
from reproductions.palindrome.run import main as palindrome_main


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
