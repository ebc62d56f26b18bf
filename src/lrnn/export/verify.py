"""The check before an ONNX file is published: onnxruntime on real rows, against Predictor (the
numpy path of `lrnn predict`), in batches of 1,000 and row by row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._lrnn import InputError, LrnnError, predicted_classes, probabilities
from .graph_model import LABEL, PROBABILITIES
from .rows import Rows, feeds

TOLERANCE = 1e-5  # the largest probability difference allowed
BATCH_ROWS = 1000
SINGLE_ROWS = 16  # rows also run one at a time


@dataclass(frozen=True)
class Agreement:
    rows: int
    max_difference: float


def session_for(onnxruntime, model_bytes: bytes, opset: int):
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only: no notes about unused inputs on stderr
    # One thread that sleeps when idle: the 10,000 MNIST test rows in batches of 1,000 took
    # 0.16 s with onnxruntime's default spinning pool and 0.04 s so, on a busy 2-core machine.
    options.intra_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return onnxruntime.InferenceSession(model_bytes, options,
                                            providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own classes, none shared with Python's
        if "opset" in str(exc).lower():
            raise InputError(f"--opset {opset}: onnxruntime {onnxruntime.__version__} cannot "
                             f"run it ({str(exc).splitlines()[0]})") from None
        raise


def batches(n: int) -> list[np.ndarray]:
    """Row numbers of each batch: 1,000 at a time (with fewer rows: all of them, then the rows
    repeated to fill one batch of 1,000), then the first rows one by one."""
    every = np.arange(n)
    if n > BATCH_ROWS:
        large = [every[i:i + BATCH_ROWS] for i in range(0, n, BATCH_ROWS)]
    else:
        large = [every, np.resize(every, BATCH_ROWS)] if n else []
    return [*large, *(every[i:i + 1] for i in range(min(n, SINGLE_ROWS)))]


def agreement(session, predictor, row_sets: list[Rows]) -> Agreement:
    """Raises LrnnError at the first label that differs or probability beyond TOLERANCE."""
    state = predictor.preprocessor.state
    worst, total = 0.0, 0
    for rows in row_sets:
        logits = predictor.logits(rows.X)  # what Predictor.predict_proba and .predict use
        want_p = probabilities(logits)
        want_label = np.asarray(predictor.classes)[predicted_classes(logits, predictor.threshold)]
        inputs = feeds(state, rows.X)
        for index in batches(len(rows)):
            label, probs = session.run([LABEL, PROBABILITIES],
                                       {k: v[index] for k, v in inputs.items()})
            worst = max(worst, _compare(rows, index, want_label, want_p, label, probs))
        total += len(rows)
    return Agreement(total, worst)


def _compare(rows: Rows, index, want_label, want_p, label, probs) -> float:
    got = np.asarray(label).astype(str)
    differ = np.flatnonzero(got != want_label[index])
    if differ.size:
        i = int(index[differ[0]])
        raise LrnnError(f"onnxruntime's label for row {i} of the {rows.what} is "
                        f"{str(got[differ[0]])!r}, lrnn predict's is {str(want_label[i])!r}; "
                        f"the ONNX file was not written")
    gap = np.abs(np.asarray(probs, dtype=np.float64) - want_p[index])
    beyond = np.flatnonzero(~(gap <= TOLERANCE).all(axis=1))  # NaN counts as beyond
    if beyond.size:
        i = int(index[beyond[0]])
        raise LrnnError(f"onnxruntime's probabilities for row {i} of the {rows.what} differ "
                        f"from lrnn predict's by {gap[beyond[0]].max():.3g} (more than "
                        f"{TOLERANCE:g}); the ONNX file was not written")
    return float(gap.max()) if gap.size else 0.0
