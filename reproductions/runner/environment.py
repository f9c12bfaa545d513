"""The environment block of a report: package versions and devices."""

from __future__ import annotations

import importlib
import platform
from importlib import metadata

from reproductions.runner.quiet import start_tensorflow_quietly


def has_gpu() -> bool:
    """Whether TensorFlow sees a GPU (imports TensorFlow)."""
    start_tensorflow_quietly()
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def environment(packages=("tensorflow", "keras")) -> dict:
    """Versions for a report: ``mitlgan``, each of ``packages``, Python and devices.

    Only the listed packages are imported (their ``__version__`` is what they report,
    whichever distribution installed them); with ``"tensorflow"`` its devices are listed.
    """
    try:
        env = {"mitlgan": metadata.version("mitlgan")}
    except metadata.PackageNotFoundError:
        env = {"mitlgan": "not installed"}
    for name in packages:
        try:
            env[name] = getattr(importlib.import_module(name), "__version__", "unknown")
        except ImportError:
            env[name] = "not installed"
    env["python"] = platform.python_version()
    if "tensorflow" in packages and env["tensorflow"] != "not installed":
        import tensorflow as tf

        devices = [d.device_type for d in tf.config.list_physical_devices()]
        env["devices"] = ", ".join(devices) or "CPU"
    return env


def environment_lines(env: dict, seed=None) -> list[str]:
    """The environment block as Markdown list lines (and the seed, when given)."""
    lines = [f"- {k}: {v}" for k, v in env.items()]
    return lines + ([f"- seed: {seed}"] if seed is not None else [])


def peak_memory_mb() -> float | None:
    """The largest resident memory of this process so far, in MB (None where the OS
    does not say): written into each stage's ``done.json``, so the stage that raised it
    shows how much a preset needs."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if platform.system() == "Darwin" else 2**10), 1)  # bytes vs KB
