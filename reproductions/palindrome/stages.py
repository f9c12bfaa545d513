"""The palindrome stages: every (model, T, learning rate) run, then the report."""

from __future__ import annotations

import json
import time

from reproductions.palindrome.claims import claims
from reproductions.palindrome.config import run_list
from reproductions.runner import DONE_FILE, claims_from_rows, run_once, say, write_claims


def stop_when_perfect(patience: int | None):
    """A Keras callback that stops once ``val_accuracy`` has been 1.0 for ``patience``
    epochs in a row (None: never); its ``stopped_at`` is that epoch (None: it never
    stopped)."""
    import keras  # here, so that parsing the command line needs no TensorFlow

    class StopWhenPerfect(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.streak, self.stopped_at = 0, None

        def on_epoch_end(self, epoch, logs=None):
            self.streak = self.streak + 1 if (logs or {}).get("val_accuracy", 0) >= 1.0 else 0
            if patience is not None and self.streak >= patience:
                self.stopped_at = epoch + 1
                self.model.stop_training = True

    return StopWhenPerfect()


def train_run(context, run: dict) -> dict:
    """Train one (model, T, learning rate) run; returns its per-epoch record."""
    import keras
    import tensorflow as tf

    from mitlgan.data.palindrome import palindrome_data
    from mitlgan.models.recurrent import build_palindrome_classifier
    from mitlgan.size_check import StepTimer, record_training_call
    from mitlgan.tensorboard import TensorBoardLog
    from mitlgan.training import SMALL_MODEL_STEPS_PER_EXECUTION

    config = context.settings
    data = context.load_once(f"data_T{run['length']}", lambda: palindrome_data(
        run["length"], config.data_size, seed=config.data_seed))
    keras.utils.set_random_seed(config.seed)
    model = build_palindrome_classifier(run["model"], run["length"] - 1, config.hidden,
                                        init=config.init)
    model.compile(keras.optimizers.Adam(run["learning_rate"], global_clipnorm=config.clip_norm),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=(
                      SMALL_MODEL_STEPS_PER_EXECUTION if context.max_steps is None else 1))
    # The learning-rate study's runs train every epoch: the document's claim that a high
    # rate degrades later can only show in a run that is not stopped at 100%.
    rate_study = run["learning_rate"] != config.default_learning_rate
    stop = stop_when_perfect(None if rate_study else config.perfect_patience)
    callbacks = [stop]
    timer = None if context.max_steps is None else StepTimer()  # a size check times steps
    if timer is not None:
        callbacks.append(timer)
    events = context.tensorboard_dir(context.stage_dir(RUNS_STAGE))
    if events is not None:  # one event folder per run: RUN/runs/tensorboard/NAME
        callbacks.append(TensorBoardLog(events / run["name"]))
    # --max-steps (a size check): one epoch of at most that many steps
    size_check = {} if context.max_steps is None else {"steps_per_epoch": min(
        context.max_steps, -(-len(data.x_train) // config.batch_size))}
    started = time.perf_counter()
    history = model.fit(data.x_train, data.y_train, batch_size=config.batch_size,
                        epochs=1 if size_check else config.epochs,
                        validation_data=(data.x_test, data.y_test),
                        callbacks=callbacks, verbose=0, **size_check)
    seconds = time.perf_counter() - started
    if timer is not None:
        steps_per_epoch = -(-len(data.x_train) // config.batch_size)
        spec = tuple(tf.TensorSpec((config.batch_size, *a.shape[1:]), a.dtype)
                     for a in (data.x_train, data.y_train))
        context.note_size_check(record_training_call(
            run["name"], model, spec, config.batch_size, timer.seconds,
            config.epochs * steps_per_epoch))
    return {**run, "data": data.description, "seconds": round(seconds, 1),
            "test_accuracy": [float(v) for v in history.history["val_accuracy"]],
            "train_accuracy": [float(v) for v in history.history["accuracy"]],
            "train_loss": [float(v) for v in history.history["loss"]],
            "stopped_early_at": stop.stopped_at}


RUNS_STAGE = "runs"


def runs_stage(context) -> dict:
    """Train every run not finished yet (each writes ``runs/NAME.json`` when done)."""
    folder = context.stage_dir(RUNS_STAGE)
    runs = run_list(context.settings)
    for index, run in enumerate(runs, start=1):
        result, earlier = run_once(folder / f"{run['name']}.json",
                                   lambda run=run: train_run(context, run))
        if earlier:
            say(f"  [{index}/{len(runs)}] {run['name']}: done earlier")
            continue
        stop = (f", stopped at epoch {result['stopped_early_at']} (100% test accuracy for "
                f"{context.settings.perfect_patience} epochs)" if result["stopped_early_at"]
                else "")
        say(f"  [{index}/{len(runs)}] {run['name']}: test accuracy {result['test_accuracy'][-1]:.3f}"
            f" (best {max(result['test_accuracy']):.3f}) after {len(result['test_accuracy'])} "
            f"epochs, {result['seconds']:.0f} s{stop}")
    return {"runs": len(runs)}


def load_results(context) -> dict:
    """{run name: its record} of the finished runs."""
    return {p.stem: json.loads(p.read_text())
            for p in sorted(context.stage_dir(RUNS_STAGE).glob("*.json")) if p.name != DONE_FILE}


def report_stage(context) -> dict:
    """The claims (``claims.json``), then the figures and ``report.md``; returns the
    verdicts."""
    from reproductions.palindrome.report import write_report

    settings, results = context.settings, load_results(context)
    verdicts = claims(results, settings)
    write_claims(context, claims_from_rows("002", verdicts), {
        "epochs": settings.epochs, "sequences": settings.data_size,
        "lengths": list(settings.lengths), "learning_rates": list(settings.learning_rates),
        "seeds": 1, "report": "100,000 sequences, 100 epochs, T = 5, 10, 20, 30"},
        data="the document's palindromes (made the assignment template's way)",
        share=settings.data_size * settings.epochs / (100_000 * 100),
        share_of="the document's 100 epochs of 100,000 sequences (at most: runs stop early "
                 "at 100%)")
    for claim, verdict, measured in verdicts:
        say(f"  {claim}: {verdict} ({measured})")
    write_report(context, results, verdicts)
    return {"claims": [[c, v] for c, v, _ in verdicts]}
