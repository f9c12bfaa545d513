"""Document 000's zi2zi font transfer at 64x64: ``python -m reproductions.zi2zi``."""

from reproductions.zi2zi.run import reproduce

__all__ = ["reproduce"]
