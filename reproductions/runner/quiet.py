"""Command-line runs without TensorFlow's C++ chatter.

TF 2.21 writes its start-up lines (absl's pre-init notice, oneDNN / CUDA / CPU-feature
notes, the cuInit error of a machine without a GPU) to file descriptor 2 before it reads
``TF_CPP_MIN_LOG_LEVEL``, and some runtime notes at ERROR level, so neither the
environment variable nor Python's ``logging`` hides them: a filter on the descriptor does.
"""

from __future__ import annotations

import os
import re
import sys

__all__ = ["TENSORFLOW_CHATTER", "start_tensorflow_quietly"]

#: TensorFlow's C++ chatter: absl's pre-init notice, the oneDNN / CUDA / CPU-feature INFO
#: lines and the cuInit error of a machine without a GPU at start-up, then grappler's
#: "remapper failed" and oneDNN's int32 fallback notes during training. TF 2.21 writes
#: the start-up lines to file descriptor 2 before it reads TF_CPP_MIN_LOG_LEVEL, and the
#: others at ERROR level, so only a filter on the descriptor hides them.
TENSORFLOW_CHATTER = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog"
    r"|[IWE]\d{4} [\d:.]+\s+\d+ (port|cudart_stub|cpu_feature_guard|cuda_platform"
    r"|cuda_executor|cuda_diagnostics|gpu_device)\.cc"
    r"|[IWE]\d{4} [\d:.]+\s+\d+ \w+\.cc:\d+\] (remapper failed|oneDNN supports DT_INT32)"
    r"|To enable the following instructions)")

_chatter_filter_installed = False


class _ExpectedRetracing:
    """Drops TF's "N out of the last M calls ... triggered tf.function retracing" warning:
    every stage builds new models and so new functions, which is the retracing it means."""

    def filter(self, record) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


_RETRACING_FILTER = _ExpectedRetracing()


def _filter_native_stderr() -> None:
    """Route file descriptor 2 through a thread that drops :data:`TENSORFLOW_CHATTER`
    lines, for the rest of the process (restored, and flushed, at exit)."""
    global _chatter_filter_installed
    import atexit
    import threading

    sys.stderr.flush()
    read_end, write_end = os.pipe()
    saved = os.dup(2)
    pump_out = os.dup(2)
    os.dup2(write_end, 2)
    os.close(write_end)

    def pump():
        with os.fdopen(read_end, "rb") as pipe, os.fdopen(pump_out, "wb", buffering=0) as out:
            for line in pipe:
                if not TENSORFLOW_CHATTER.search(line.decode(errors="replace")):
                    out.write(line)

    thread = threading.Thread(target=pump, name="stderr-filter", daemon=True)
    thread.start()

    def restore():
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last write end closes: the pump reads to the end
        os.close(saved)
        thread.join(timeout=5)

    atexit.register(restore)
    _chatter_filter_installed = True


def start_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ chatter hidden for the rest of the process.

    TensorFlow's retracing warning is always dropped (see :class:`_ExpectedRetracing`).
    Does nothing if TensorFlow is already imported (a test session, a notebook) or the
    user set ``TF_CPP_MIN_LOG_LEVEL`` (then they see what they asked for). Otherwise it
    sets the level to 2 (TensorFlow's own INFO and WARNING lines stay hidden too) and
    filters file descriptor 2: every line that is not :data:`TENSORFLOW_CHATTER` still
    reaches stderr.
    """
    import logging

    logger = logging.getLogger("tensorflow")
    if _RETRACING_FILTER not in logger.filters:
        logger.addFilter(_RETRACING_FILTER)
    if "tensorflow" in sys.modules or "TF_CPP_MIN_LOG_LEVEL" in os.environ:
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    if not _chatter_filter_installed:
        _filter_native_stderr()
    import tensorflow as tf

    tf.config.list_physical_devices()
