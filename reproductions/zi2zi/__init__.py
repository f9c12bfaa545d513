"""Seed 000's zi2zi font transfer at 64x64: ``python -m reproductions.zi2zi``."""
