"""The MITLGAN thesis experiment, end to end: ``python -m reproductions.mitlgan``.

Stages (each in ``OUTPUT/DATASET/STAGE/``): ``wgan_combined``, ``wgan_background``,
``wgan_foreground``, ``mitlgan`` (the two part generators frozen inside a MITLGAN,
trained on the combined images) and ``evaluation``; then ``fid.csv`` and
``report.md`` in ``OUTPUT/DATASET/``.
"""
