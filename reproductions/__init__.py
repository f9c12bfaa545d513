"""The reproductions: ``python -m reproductions.NAME`` or ``reproductions.NAME.reproduce(...)``
(mitlgan, mnist_gans, dcgan, zi2zi, palindrome); :func:`open_run` reads a finished run."""

from reproductions.runner.api import RunResult, open_run

__all__ = ["RunResult", "open_run"]
