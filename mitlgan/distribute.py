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
import re

from mitlgan.errors import UserInputError

__all__ = ["DEFAULT_COLLECTIVE_TIMEOUT", "STRATEGIES", "StrategyError", "WorkerLostError",
           "is_chief", "lost_worker_message", "make_strategy", "set_worker_folder_private",
           "worker_folder_is_private", "worker_task"]

STRATEGIES = ("auto", "one", "mirrored", "multi-worker", "tpu")
#: seconds a multi-worker collective may wait for the other workers before it fails.
#: TensorFlow's coordination service already ends a step within about 20 s when a
#: worker dies or its network goes (heartbeats stop); this bound is for a worker that
#: is alive but stuck outside the step (a stalled input pipeline, a hung callback). It
#: is generous because a collective also waits while a slower worker traces its first
#: step (two minutes for the thesis MITLGAN on a CPU).
DEFAULT_COLLECTIVE_TIMEOUT = 600.0


class StrategyError(UserInputError, ValueError):
    """A strategy cannot be made here; the message says why and what to do."""


class WorkerLostError(RuntimeError):
    """Another worker of a multi-worker run died, lost its network or hung; the message
    names it and says how to resume (the same command on every worker)."""


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
_collective_timeout = None  # of the multi-worker strategy made, for messages


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


def make_strategy(name: str = "auto", collective_timeout: float | None = DEFAULT_COLLECTIVE_TIMEOUT):
    """The ``tf.distribute.Strategy`` called ``name`` (see the module docstring).

    ``collective_timeout``: for ``multi-worker``, the seconds a collective may wait for
    the other workers before it fails (``CommunicationOptions(timeout_seconds=...)``;
    see :data:`DEFAULT_COLLECTIVE_TIMEOUT`); None or 0: wait forever.

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
        if collective_timeout is not None and collective_timeout < 0:
            raise StrategyError(f"the collective timeout must be positive (0: none), not "
                                f"{collective_timeout}")
        global _collective_timeout
        _collective_timeout = collective_timeout or None
        options = tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=float(collective_timeout) if collective_timeout else None)
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
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


_TASK = re.compile(r"/job:(\w+)/(?:replica:\d+/)?task:(\d+)")
#: what TensorFlow raises in a collective whose peer is gone or silent
_LOST_PEER_ERRORS = ("UnavailableError", "DeadlineExceededError", "AbortedError",
                     "CancelledError")


def lost_worker_message(error: BaseException, timeout: float | None = None) -> str | None:
    """What to tell a user whose multi-worker step failed because another worker died,
    lost its network or hung; None if ``error`` is not that (or there is no cluster).

    The workers named are those TensorFlow's message names other than this process
    (the coordination service's list of tasks that stopped sending heartbeats first),
    with their addresses from ``TF_CONFIG``; a bare collective timeout names every
    other worker as a suspect. ``timeout``: the collective timeout to state (default:
    the one :func:`make_strategy` used).
    """
    timeout = _collective_timeout if timeout is None else timeout
    if type(error).__name__ not in _LOST_PEER_ERRORS or not os.environ.get("TF_CONFIG"):
        return None
    kind, index, workers = worker_task()
    if workers < 2:
        return None
    cluster = json.loads(os.environ["TF_CONFIG"]).get("cluster", {})
    text = str(error)
    unhealthy = text.split("are unhealthy", 1)[1] if "are unhealthy" in text else text
    named = [(job, int(task)) for job, task in _TASK.findall(unhealthy)]
    lost = list(dict.fromkeys(t for t in named if t != (kind, index)))

    def describe(task):
        job, number = task
        hosts = cluster.get(job, [])
        return f"{job} {number} ({hosts[number]})" if number < len(hosts) else f"{job} {number}"

    if lost:
        what = ("lost: " + ", ".join(describe(t) for t in lost)
                + " stopped answering (it died, lost its network or was stopped)")
    else:
        others = [(job, i) for job in ("chief", "worker") for i in range(len(cluster.get(job, [])))
                  if (job, i) != (kind, index)]
        waited = f"within {timeout:g} s" if timeout else "in time"
        what = (f"a collective did not complete {waited}: "
                + ", ".join(describe(t) for t in others) + " hung or died")
    return (f"Multi-worker training stopped on {kind} {index}: {what}. "
            f"({type(error).__name__}: {text.strip().splitlines()[-1][:300]})")
