"""What the notebooks in ``notebooks/`` share: the smoke mode CI runs them in, the run
folder (local, or on Google Drive in Colab), and inline figures.

Smoke mode (``MITLGAN_NOTEBOOK_SMOKE=1``) swaps a notebook's preset for tiny settings so
CI can execute every notebook top to bottom in seconds; its numbers mean nothing and the
notebook says so. ``MITLGAN_NOTEBOOK_OUTPUT`` overrides the folder runs go under.

Importing this module starts TensorFlow without its C++ start-up chatter (which a
kernel would otherwise show under the first cell that imports it), unless the user
set ``TF_CPP_MIN_LOG_LEVEL``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from reproductions.runner.quiet import start_tensorflow_quietly

start_tensorflow_quietly()

SMOKE_ENV = "MITLGAN_NOTEBOOK_SMOKE"
OUTPUT_ENV = "MITLGAN_NOTEBOOK_OUTPUT"
DRIVE_MOUNT = "/content/drive"

#: per reproduction, the tiny settings of smoke mode (the same sizes the end-to-end tests use)
SMOKE_SETTINGS = {
    "mitlgan": dict(
        preset="quick", image_size=16, latent_dim=64, critic_channels=[4, 8, 8, 8],
        head_filters=2, num_blocks=1, n_images=32, batch_size=16, n_critic=1, epochs=1,
        checkpoint_every=1, fid_n=16, fid_input_size=75, curve_n=16, judge_images=48,
        judge_epochs=1),
    "mnist_gans": dict(preset="quick", mnist_source="embedded", epochs=1, n_images=256,
                       batch_size=64, judge_epochs=1, seeds=1),
    "dcgan": dict(preset="quick", epochs=2, n_images=64, batch_size=32,
                  generator_channels=16, discriminator_channels=4),
    "zi2zi": dict(preset="quick", epochs=1, train_chars=16, held_out_chars=8,
                  classifier_epochs=1),
    "palindrome": dict(preset="quick", lengths=[5, 20], epochs=2, data_size=300, hidden=8,
                       learning_rates=[1e-2, 1e-3]),
}


def smoke_mode() -> bool:
    """Whether ``MITLGAN_NOTEBOOK_SMOKE`` asks for the tiny CI settings (set, not ``0``)."""
    return os.environ.get(SMOKE_ENV, "").strip() not in ("", "0")


def run_settings(reproduction: str, preset: str = "auto") -> dict:
    """The settings a notebook passes to ``reproduce``: ``{"preset": preset}``, or in
    smoke mode the tiny :data:`SMOKE_SETTINGS` of ``reproduction`` (and a printed warning).

    Raises:
        KeyError: an unknown reproduction name (the message lists the known ones).
    """
    if reproduction not in SMOKE_SETTINGS:
        raise KeyError(f"unknown reproduction {reproduction!r}; known: {', '.join(SMOKE_SETTINGS)}")
    if not smoke_mode():
        return {"preset": preset}
    print(f"SMOKE MODE ({SMOKE_ENV} is set): tiny settings that only check the notebook "
          f"runs; the numbers below mean nothing. {SMOKE_SETTINGS[reproduction]}")
    return dict(SMOKE_SETTINGS[reproduction])


def in_colab() -> bool:
    """Whether this runs in Google Colab."""
    return "google.colab" in sys.modules


def output_folder(use_drive: bool = False, drive_folder: str = "mitlgan_runs") -> str:
    """The folder runs go under.

    ``MITLGAN_NOTEBOOK_OUTPUT`` when set; else, in Colab with ``use_drive``, Google Drive
    (mounted here) ``MyDrive/drive_folder``, so the run survives a disconnect and running
    the notebook again resumes it; else ``runs`` next to the notebook.
    """
    if os.environ.get(OUTPUT_ENV):
        return os.environ[OUTPUT_ENV]
    if use_drive and in_colab():
        from google.colab import drive  # only exists in Colab

        drive.mount(DRIVE_MOUNT)
        folder = Path(DRIVE_MOUNT) / "MyDrive" / drive_folder
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder)
    return "runs"


def show_figures(paths, width: int = 900) -> None:
    """Display PNG files inline (a notebook), each under its file name.

    Args:
        paths: an iterable of paths, or a ``{name: path}`` dict (``RunResult.figures``).
    """
    from IPython.display import Image, Markdown, display

    items = paths.items() if isinstance(paths, dict) else ((Path(p).name, p) for p in paths)
    for name, path in items:
        display(Markdown(f"**{name}**"))
        display(Image(filename=str(path), width=width))
