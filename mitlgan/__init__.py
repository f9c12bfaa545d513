"""mitlgan: a Keras 3 / TensorFlow reproduction of the MITLGAN thesis.

Importing the package selects Keras's TensorFlow backend (or raises if another
backend is already active), because the GAN training step uses ``tf.GradientTape``.
"""

from mitlgan._backend import ensure_tensorflow_backend

ensure_tensorflow_backend()

__version__ = "0.1.0"

# Heavy submodules load on first use so that `import mitlgan` stays cheap.
_LAZY = {"WGANGP": "mitlgan.gans", "BCEGAN": "mitlgan.gans", "Zi2Zi": "mitlgan.gans",
         "AdversarialModel": "mitlgan.gans", "LatentAdversarialModel": "mitlgan.gans"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mitlgan' has no attribute {name!r}")


__all__ = ["BCEGAN", "WGANGP", "AdversarialModel", "LatentAdversarialModel", "Zi2Zi",
           "__version__"]
