"""What a size check (``train(max_steps=...)``) measures of each training call.

A size check trains every stage of a preset at its real size for a few steps
(``train(max_steps=...)``). Each training call made during it returns one record (in
its ``TrainResult.size_check``): the seconds per step after the first (which builds and
traces the graph), the FLOPs of one train step (TensorFlow's profiler count of the
traced step, :func:`mitlgan.flops.graph_flops`) and the steps the call would have run
without the size check. A caller keeps them (the reproductions' runner in each stage's
``done.json``); ``scripts/check_full_presets.py`` turns them into seconds per step on
this machine and hours on an accelerator (:mod:`mitlgan.accelerators`).

This module imports neither Keras nor TensorFlow until a record is made, so the runner
can read it cheaply.
"""

from __future__ import annotations

import statistics
import time

__all__ = ["StepTimer", "record_training_call", "step_input_specs"]


def StepTimer():  # noqa: N802 - a factory, so that importing this module stays light
    """A Keras callback timing every train batch; ``.seconds`` lists them in order.

    Use with ``steps_per_execution=1``: with more, one "batch" is one compiled call.
    """
    import keras

    class _StepTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []
            self._started = None

        def on_train_batch_begin(self, batch, logs=None):
            self._started = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            if self._started is not None:
                self.seconds.append(time.perf_counter() - self._started)
                self._started = None

    return _StepTimer()


def step_input_specs(element_spec, batch_size: int):
    """``element_spec`` (a dataset's, nested) with an unknown batch axis set to
    ``batch_size``, as :func:`mitlgan.flops.graph_flops` needs fully defined shapes."""
    import tensorflow as tf

    def fixed(spec):
        shape = [batch_size if d is None else d for d in spec.shape.as_list()]
        return tf.TensorSpec(shape, spec.dtype)

    return tf.nest.map_structure(fixed, element_spec)


def record_training_call(label: str, model, element_spec, batch_size: int, step_seconds,
                         full_steps: int) -> dict:
    """The record of a finished size-check training call.

    Args:
        label: what was trained (a model or stage name).
        model: the compiled Keras model whose ``train_step`` ran.
        element_spec: the nested ``tf.TensorSpec`` of one batch as the training dataset
            gives it (an unknown batch axis is set to ``batch_size``).
        batch_size: the batch of one step.
        step_seconds: the timed steps' seconds in order (the first one, which traced the
            graph, is left out of the median).
        full_steps: steps the call runs without the size check (all epochs).

    Returns:
        dict with keys ``label`` (str), ``steps_timed`` (int), ``step_seconds`` (median
        seconds of a step after the first, or None when only one step ran),
        ``step_flops`` (int or None when the step could not be traced), ``full_steps``
        (int, the call's steps without the size check) and, when ``step_flops`` is None,
        ``no_flops_because`` (str).
    """
    from mitlgan.flops import graph_flops_and_loops

    flops, why_not = None, None
    try:
        flops, has_loop = graph_flops_and_loops(lambda batch: model.train_step(batch),
                                                step_input_specs(element_spec, batch_size))
        if has_loop:
            flops, why_not = None, ("the step runs a tf.while_loop (a recurrent layer), whose "
                                    "body the profiler counts once, not once per time step")
    except Exception as err:  # a count is a nice-to-have; the size check goes on
        why_not = f"tracing the step failed ({type(err).__name__}: {err})"
    later = list(step_seconds)[1:]
    record = {"label": label, "steps_timed": len(later),
              "step_seconds": round(statistics.median(later), 4) if later else None,
              "step_flops": flops, "full_steps": int(full_steps),
              **({"no_flops_because": why_not} if why_not else {})}
    return record
