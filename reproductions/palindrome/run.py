"""Train every palindrome run on the shared runner, then write the report; resumes.

Layout of ``OUTPUT/palindrome/``: ``config.json``, ``run.log``, ``runs/`` (one
``NAME.json`` per finished run: accuracy and loss per epoch, how it stopped), the
figures and ``report.md``. An interrupted run is redone; finished runs are kept.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from reproductions.palindrome.config import PRESETS, build_config, run_list
from reproductions.runner.arguments import add_positive_int_flags, int_list, positive_float_list
from reproductions.runner.engine import DONE_FILE, Reproduction, Stage, say
from reproductions.runner.entry import entry_points
from reproductions.runner.errors import UsageError
from reproductions.runner.repeats import run_once

DESCRIPTION = ("Reproduce document 002's Part 1: an LSTM cell built from its equations (both "
               "readings of equation (6)) against a vanilla RNN, predicting the last digit "
               "of a palindrome, over lengths T and learning rates. Running the same "
               "command again resumes.")


def add_arguments(parser, run) -> None:
    """The palindrome flags (the runner adds --preset, --output, --seed, --restart, --until)."""
    run.add_argument("--lengths", type=int_list("--lengths", "5,10,20,30"), default=None,
                     help="palindrome lengths T (the report: 5, 20, 30)")
    run.add_argument("--learning-rates", type=positive_float_list("--learning-rates",
                                                                  "1e-2,1e-3,1e-4"),
                     default=None, help="learning rates of the T = 5 and T = 20 panels")
    run.add_argument("--init", choices=("pytorch", "keras"), default="pytorch",
                     help="pytorch (default): the report's nn.Linear initialisation; keras: "
                          "Keras's recurrent defaults (orthogonal recurrent kernel)")
    add_positive_int_flags(parser.add_argument_group("training (override the preset)"), {
        "--epochs": "the most epochs a run trains (the report: 100)",
        "--batch-size": None, "--hidden": None,
        "--data-size": "sequences per length (capped at the distinct palindromes)",
    })


def configure(args, preset: str) -> dict:
    """The configuration; lengths below 2 are refused before anything is written."""
    overrides = {k: getattr(args, k) for k in ("lengths", "learning_rates", "epochs",
                                               "batch_size", "hidden", "data_size")}
    config = build_config(preset, overrides)
    config["init"] = args.init
    if min(config["lengths"]) < 2:
        raise UsageError("--lengths must be at least 2: T counts the input digits and the "
                         "target.")
    return config


def stop_when_perfect(patience: int):
    """A Keras callback that stops once ``val_accuracy`` has been 1.0 for ``patience``
    epochs in a row; its ``stopped_at`` is that epoch (None: it never stopped)."""
    import keras  # here, so that parsing the command line needs no TensorFlow

    class StopWhenPerfect(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.streak, self.stopped_at = 0, None

        def on_epoch_end(self, epoch, logs=None):
            self.streak = self.streak + 1 if (logs or {}).get("val_accuracy", 0) >= 1.0 else 0
            if self.streak >= patience:
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

    config = context.config
    data = context.load_once(f"data_T{run['length']}", lambda: palindrome_data(
        run["length"], config["data_size"], seed=config["data_seed"]))
    keras.utils.set_random_seed(config["seed"])
    model = build_palindrome_classifier(run["model"], run["length"] - 1, config["hidden"],
                                        init=config["init"])
    model.compile(keras.optimizers.Adam(run["learning_rate"], global_clipnorm=config["clip_norm"]),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=(
                      SMALL_MODEL_STEPS_PER_EXECUTION if context.max_steps is None else 1))
    stop = stop_when_perfect(config["perfect_patience"])
    callbacks = [stop]
    timer = None if context.max_steps is None else StepTimer()  # a size check times steps
    if timer is not None:
        callbacks.append(timer)
    events = context.tensorboard_dir(context.stage_dir(RUNS_STAGE))
    if events is not None:  # one event folder per run: RUN/runs/tensorboard/NAME
        callbacks.append(TensorBoardLog(events / run["name"]))
    # --max-steps (a size check): one epoch of at most that many steps
    size_check = {} if context.max_steps is None else {"steps_per_epoch": min(
        context.max_steps, -(-len(data.x_train) // config["batch_size"]))}
    started = time.perf_counter()
    history = model.fit(data.x_train, data.y_train, batch_size=config["batch_size"],
                        epochs=1 if size_check else config["epochs"],
                        validation_data=(data.x_test, data.y_test),
                        callbacks=callbacks, verbose=0, **size_check)
    seconds = time.perf_counter() - started
    if timer is not None:
        steps_per_epoch = -(-len(data.x_train) // config["batch_size"])
        spec = tuple(tf.TensorSpec((config["batch_size"], *a.shape[1:]), a.dtype)
                     for a in (data.x_train, data.y_train))
        context.note_size_check(record_training_call(
            run["name"], model, spec, config["batch_size"], timer.seconds,
            config["epochs"] * steps_per_epoch))
    return {**run, "data": data.description, "seconds": round(seconds, 1),
            "test_accuracy": [float(v) for v in history.history["val_accuracy"]],
            "train_accuracy": [float(v) for v in history.history["accuracy"]],
            "train_loss": [float(v) for v in history.history["loss"]],
            "stopped_early_at": stop.stopped_at}


RUNS_STAGE = "runs"


def runs_stage(context) -> dict:
    """Train every run not finished yet (each writes ``runs/NAME.json`` when done)."""
    folder = context.stage_dir(RUNS_STAGE)
    runs = run_list(context.config)
    for index, run in enumerate(runs, start=1):
        result, earlier = run_once(folder / f"{run['name']}.json",
                                   lambda run=run: train_run(context, run))
        if earlier:
            say(f"  [{index}/{len(runs)}] {run['name']}: done earlier")
            continue
        stop = (f", stopped at epoch {result['stopped_early_at']} (100% test accuracy for "
                f"{context.config['perfect_patience']} epochs)" if result["stopped_early_at"]
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
    """Figures and report.md."""
    from reproductions.palindrome.report import write_report

    return write_report(context, load_results(context))


REPRODUCTION = Reproduction(
    prog="python -m reproductions.palindrome",
    description=DESCRIPTION,
    stages=(Stage(RUNS_STAGE, "every model, length and learning rate", runs_stage),
            Stage("report", "curves, learning-rate panels, table and claims", report_stage)),
    configure=configure,
    add_arguments=add_arguments,
    presets=PRESETS,
    preset_help="full: the report's 100,000 sequences and 100 epochs at T = 5, 10, 20, 30; "
                "hour: the same (it fits an hour on a 2-core CPU); quick: T = 5 and 20, "
                "10,000 sequences, 25 epochs; auto (default): full on a GPU, quick otherwise",
    run_folder=lambda args: Path(args.output) / "palindrome",
)


prepare, main, reproduce = entry_points(
    REPRODUCTION,
    doc="""Run or resume the palindrome study (the LSTM from its equations against the
    vanilla RNN); the command line with the same settings writes the same
    ``OUTPUT/palindrome`` folder. ``result.table`` is the accuracy per length, model and
    learning rate.""")
