"""One worker of a tiny WGAN-GP run, for tests/test_multiworker.py.

``python _multiworker_helper.py RUN_DIR WEIGHTS.npz EPOCHS [CRASH_AFTER]``

With ``TF_CONFIG`` set it trains under ``MultiWorkerMirroredStrategy`` (made first, as
the strategy requires), else on one device; either way through
``mitlgan.training.train`` with checkpoints, samples and a history in RUN_DIR. The final
weights go to WEIGHTS.npz (the test's own file, not the run's). With CRASH_AFTER the
process dies right after that epoch's checkpoint, as a killed worker would.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from mitlgan.distribute import make_strategy  # noqa: E402

strategy = make_strategy("multi-worker" if os.environ.get("TF_CONFIG") else "one")

import keras  # noqa: E402
from _gan_helpers import state_arrays, tiny_images, tiny_models  # noqa: E402

import mitlgan  # noqa: E402
from mitlgan.training import train  # noqa: E402

BATCH = 8


class DieAfter(keras.callbacks.Callback):
    """Ends the process after epoch ``epoch`` (1-based), once its checkpoint is written:
    as the next epoch begins (the checkpoint is the last of train's epoch-end callbacks)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            os._exit(3)


def main(run_dir, weights_path, epochs, crash_after=None):
    with strategy.scope():
        # dropout-free critic: per-replica dropout masks would differ from one device's
        generator, critic = tiny_models(5, dropout=0.0)
        gan = mitlgan.WGANGP(generator, critic, n_critic=2, seed=21)
        gan.compile()
    callbacks = [DieAfter(crash_after)] if crash_after else []
    result = train(gan, tiny_images(32, seed=3), batch_size=BATCH, epochs=epochs,
                   checkpoint_dir=os.path.join(run_dir, "checkpoints"), every=1,
                   sample_dir=os.path.join(run_dir, "samples"), num_samples=4,
                   history_csv=os.path.join(run_dir, "history.csv"), seed=4,
                   callbacks=callbacks, verbose=0)
    np.savez(weights_path, *state_arrays(gan))
    print(f"replicas {strategy.num_replicas_in_sync}, resumed from {result.resumed_from}, "
          f"epochs {result.initial_epoch}->{result.epochs}", flush=True)
    assert tf.distribute.get_strategy() is not None


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
