"""The MITLGAN thesis experiment, end to end: ``python -m reproductions.mitlgan``.

Stages (each in ``OUTPUT/DATASET/STAGE/``): ``judge``, ``wgan_combined``,
``wgan_background``, ``wgan_foreground``, ``mitlgan`` and ``mitlgan_corrected`` (the two
part generators frozen inside a MITLGAN head, trained on the combined images) and
``evaluation``; then ``fid.csv`` and ``report.md`` in ``OUTPUT/DATASET/``. From Python:
``reproductions.mitlgan.reproduce(...)``.
"""

from reproductions.mitlgan.run import reproduce

__all__ = ["reproduce"]
