"""The 2015-12-05 FID Inception in Keras, its weights from a file the user can install.

- :func:`build_fid_inception` — the network (:mod:`.network`);
- :func:`install` — convert a PyTorch archive of it into the Keras cache, reading the
  archive with numpy through a restricted unpickler (:mod:`.install`, :mod:`.archive`);
- :func:`installed` / :func:`require_installed` — the install record, or how to install.

Command line: ``python -m mitlgan.metrics.fid_inception install [--from FILE]`` and
``python -m mitlgan.metrics.fid_inception info``.
"""

from mitlgan.metrics.fid_inception.archive import UnsafeArchiveError, read_tensors
from mitlgan.metrics.fid_inception.install import (
    INSTALL_COMMAND,
    FidInceptionUnavailableError,
    install,
    installed,
    require_installed,
    weights_path,
)

__all__ = [
    "INSTALL_COMMAND",
    "FidInceptionUnavailableError",
    "UnsafeArchiveError",
    "build_fid_inception",
    "install",
    "installed",
    "read_tensors",
    "require_installed",
    "weights_path",
]


def build_fid_inception(*, logits: bool = False, dtype=None):
    """See :func:`mitlgan.metrics.fid_inception.network.build_fid_inception` (imports Keras)."""
    from mitlgan.metrics.fid_inception.network import build_fid_inception as build

    return build(logits=logits, dtype=dtype)
