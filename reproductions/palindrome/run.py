"""Train every palindrome run on the shared runner, then write the report; resumes.

Layout of ``OUTPUT/palindrome/``: ``config.json``, ``run.log``, ``runs/`` (one
``NAME.json`` per finished run: accuracy and loss per epoch, how it stopped), the
figures and ``report.md``. An interrupted run is redone; finished runs are kept.
"""

from __future__ import annotations

from pathlib import Path

from reproductions.palindrome.config import PRESETS, PalindromeSettings, add_arguments, configure
from reproductions.palindrome.stages import RUNS_STAGE, report_stage, runs_stage
from reproductions.runner import Reproduction, Stage, entry_points

DESCRIPTION = ("Reproduce document 002's Part 1: an LSTM cell built from its equations (both "
               "readings of equation (6)) against a vanilla RNN, predicting the last digit "
               "of a palindrome, over lengths T and learning rates. Running the same "
               "command again resumes.")


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
    settings=PalindromeSettings,
)


prepare, main, reproduce = entry_points(
    REPRODUCTION,
    doc="""Run or resume the palindrome study (the LSTM from its equations against the
    vanilla RNN); the command line with the same settings writes the same
    ``OUTPUT/palindrome`` folder. ``result.table`` is the accuracy per length, model and
    learning rate.""")
