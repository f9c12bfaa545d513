"""One worker of a tiny WGAN-GP run, for tests/test_multiworker.py.

``python _multiworker_helper.py RUN_DIR WEIGHTS.npz EPOCHS [CRASH_AFTER]``

With ``TF_CONFIG`` set it trains under ``MultiWorkerMirroredStrategy`` (made first, as
the strategy requires), else on one device; either way through
``mitlgan.training.train`` with checkpoints, samples and a history in RUN_DIR. The final
weights go to WEIGHTS.npz (the test's own file, not the run's). With CRASH_AFTER the
process dies right after that epoch's checkpoint, as a killed worker would. With
``HANG_AFTER=K`` in the environment it hangs, alive, as epoch K+1 begins (a stalled
input pipeline); ``COLLECTIVE_TIMEOUT`` sets the strategy's collective timeout. A lost
peer (``WorkerLostError``) prints its message and exits with code 3, as the runner does.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from mitlgan.distribute import WorkerLostError, make_strategy  # noqa: E402

strategy = make_strategy("multi-worker" if os.environ.get("TF_CONFIG") else "one",
                         float(os.environ.get("COLLECTIVE_TIMEOUT", 600)))

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


class HangAfter(DieAfter):
    """Sleeps (alive: TensorFlow's heartbeats go on) as epoch ``epoch`` + 1 begins."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch:
            print(f"hanging as epoch {epoch + 1} begins", flush=True)
            time.sleep(3600)


def main(run_dir, weights_path, epochs, crash_after=None):
    with strategy.scope():
        # dropout-free critic: per-replica dropout masks would differ from one device's
        generator, critic = tiny_models(5, dropout=0.0)
        gan = mitlgan.WGANGP(generator, critic, n_critic=2, seed=21)
        gan.compile()
    callbacks = [DieAfter(crash_after)] if crash_after else []
    if os.environ.get("HANG_AFTER"):
        callbacks.append(HangAfter(int(os.environ["HANG_AFTER"])))
    try:
        result = train(gan, tiny_images(32, seed=3), batch_size=BATCH, epochs=epochs,
                       checkpoint_dir=os.path.join(run_dir, "checkpoints"), every=1,
                       sample_dir=os.path.join(run_dir, "samples"), num_samples=4,
                       history_csv=os.path.join(run_dir, "history.csv"), seed=4,
                       callbacks=callbacks, verbose=0)
    except WorkerLostError as err:
        print(f"lost worker: {err}", flush=True)
        sys.exit(3)
    np.savez(weights_path, *state_arrays(gan))
    print(f"replicas {strategy.num_replicas_in_sync}, resumed from {result.resumed_from}, "
          f"epochs {result.initial_epoch}->{result.epochs}", flush=True)
    assert tf.distribute.get_strategy() is not None


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else None)
