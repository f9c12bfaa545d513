"""Seed 001's DCGAN at 64x64 and its mode collapse, measured: ``python -m reproductions.dcgan``."""
