"""Make sure Keras runs on the TensorFlow backend before anything imports it.

The GAN classes use ``tf.GradientTape`` in a custom ``train_step``, which only
works when Keras itself runs on TensorFlow.
"""

import os
import sys

REQUIRED_BACKEND = "tensorflow"


def ensure_tensorflow_backend() -> None:
    """Select the TensorFlow backend, or fail loudly if another one is already set.

    Raises:
        ImportError: ``KERAS_BACKEND`` names another backend, or Keras was already
            imported with another backend.
    """
    requested = os.environ.get("KERAS_BACKEND")
    if requested is None:
        os.environ["KERAS_BACKEND"] = REQUIRED_BACKEND
    elif requested != REQUIRED_BACKEND:
        raise ImportError(
            f"mitlgan needs Keras's TensorFlow backend (its train_step uses tf.GradientTape), "
            f"but KERAS_BACKEND={requested!r}. Unset it or set KERAS_BACKEND=tensorflow "
            "before importing keras or mitlgan."
        )
    if "keras" in sys.modules:
        import keras

        active = keras.backend.backend()
        if active != REQUIRED_BACKEND:
            raise ImportError(
                f"Keras was already imported with the {active!r} backend; mitlgan needs "
                "'tensorflow'. Set KERAS_BACKEND=tensorflow before importing keras."
            )
