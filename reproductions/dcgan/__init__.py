"""Document 001's DCGAN at 64x64 and its mode collapse, measured: ``python -m reproductions.dcgan``."""

from reproductions.dcgan.run import reproduce

__all__ = ["reproduce"]
