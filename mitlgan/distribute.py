"""Which ``tf.distribute`` strategy trains, and which process may write files.

TensorFlow's own engine does the work; this module only chooses it:

- ``auto``: ``MirroredStrategy`` over the visible GPUs when there are several, else
  one device;
- ``one``: one device (TensorFlow's default strategy);
- ``mirrored``: ``MirroredStrategy`` over every visible GPU (or the CPU);
- ``multi-worker``: ``MultiWorkerMirroredStrategy`` with the cluster from ``TF_CONFIG``;
- ``tpu``: ``TPUStrategy`` with a ``TPUClusterResolver`` from the environment
  (``TPU_NAME``; empty on a Cloud TPU VM). Not tested here: no TPU.

Under ``multi-worker`` every worker runs the same program; only the chief (task type
``chief``, or ``worker`` 0 when the cluster has no chief) writes checkpoints, samples,
histories and reports. The others write to their own scratch folder and delete it,
the pattern of TensorFlow's multi-worker guide. Create the strategy before any other
TensorFlow operation: ``MultiWorkerMirroredStrategy`` configures the runtime's
collectives and refuses once it has started.
"""

from __future__ import annotations

import json
import os

from mitlgan.errors import UserInputError

__all__ = ["STRATEGIES", "StrategyError", "is_chief", "make_strategy", "set_worker_folder_private",
           "worker_folder_is_private", "worker_task"]

STRATEGIES = ("auto", "one", "mirrored", "multi-worker", "tpu")


class StrategyError(UserInputError, ValueError):
    """A strategy cannot be made here; the message says why and what to do."""


def worker_task() -> tuple[str, int, int]:
    """(task type, task index, number of workers) from ``TF_CONFIG``; ("worker", 0, 1)
    without one.

    Raises:
        StrategyError: ``TF_CONFIG`` is not valid JSON or lacks its cluster or task.
    """
    raw = os.environ.get("TF_CONFIG", "").strip()
    if not raw:
        return "worker", 0, 1
    try:
        tf_config = json.loads(raw)
        cluster, task = tf_config["cluster"], tf_config["task"]
        workers = sum(len(cluster.get(kind, [])) for kind in ("chief", "worker"))
        return str(task["type"]), int(task["index"]), workers
    except (ValueError, KeyError, TypeError) as err:
        raise StrategyError(
            f"TF_CONFIG is not a valid cluster description ({err}); it must be JSON like "
            '{"cluster": {"worker": ["host1:port", "host2:port"]}, "task": {"type": "worker", '
            '"index": 0}}') from err


_worker_folder_private = False


def set_worker_folder_private(private: bool = True) -> None:
    """Declare that this (non-chief) process was given output paths of its own (the
    runner's scratch copy of the run folder), so ``mitlgan.training.train`` writes there
    instead of diverting its files to a temporary folder."""
    global _worker_folder_private
    _worker_folder_private = bool(private)


def worker_folder_is_private() -> bool:
    """Whether :func:`set_worker_folder_private` was called."""
    return _worker_folder_private


def is_chief() -> bool:
    """Whether this process writes the run's files: always without ``TF_CONFIG``; else
    the ``chief`` task, or ``worker`` 0 of a cluster without a chief."""
    kind, index, _ = worker_task()
    if kind == "chief":
        return True
    if kind != "worker":
        return False
    raw = json.loads(os.environ["TF_CONFIG"]) if os.environ.get("TF_CONFIG") else {}
    has_chief = bool(raw.get("cluster", {}).get("chief"))
    return index == 0 and not has_chief


def make_strategy(name: str = "auto"):
    """The ``tf.distribute.Strategy`` called ``name`` (see the module docstring).

    Raises:
        StrategyError: an unknown name, ``multi-worker`` without ``TF_CONFIG``, or a TPU
            that cannot be found.
    """
    if name not in STRATEGIES:
        raise StrategyError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    import tensorflow as tf

    if name == "multi-worker":
        if not os.environ.get("TF_CONFIG"):
            raise StrategyError(
                "--strategy multi-worker needs the cluster in TF_CONFIG (the same on every "
                "worker except task.index); see docs/scaling.md")
        worker_task()  # validates TF_CONFIG with a readable message
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
                tpu=os.environ.get("TPU_NAME", ""))
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, RuntimeError, tf.errors.OpError) as err:
            raise StrategyError(f"--strategy tpu found no TPU ({err}); set TPU_NAME or run on "
                                "a Cloud TPU VM") from err
        return tf.distribute.TPUStrategy(resolver)
    gpus = tf.config.list_physical_devices("GPU")
    if name == "mirrored" or (name == "auto" and len(gpus) > 1):
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
