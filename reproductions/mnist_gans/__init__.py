"""The MNIST GANs of documents 000, 002 and 003: ``python -m reproductions.mnist_gans``.

``--study mlp`` (document 002), ``--study ablations`` (document 003), ``--study collapse``
(document 000); each writes ``OUTPUT/mnist_gans/STUDY/report.md`` with its figures.
"""

from reproductions.mnist_gans.run import reproduce

__all__ = ["reproduce"]
