"""The MNIST GANs of seed reports 000, 002 and 003: ``python -m reproductions.mnist_gans``.

``--study mlp`` (seed 002), ``--study ablations`` (seed 003), ``--study collapse``
(seed 000); each writes ``OUTPUT/mnist_gans/STUDY/report.md`` with its figures.
"""

from reproductions.mnist_gans.run import reproduce

__all__ = ["reproduce"]
