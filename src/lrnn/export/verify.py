"""The check before an ONNX file is published: onnxruntime on real rows, against Predictor (the
numpy path of `lrnn predict`), in one batch of all rows, in batches of 1,000 and row by row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._lrnn import InputError, LrnnError
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
    try:
        return onnxruntime.InferenceSession(model_bytes, options,
                                            providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own classes, none shared with Python's
        if "opset" in str(exc).lower():
            raise InputError(f"--opset {opset}: onnxruntime {onnxruntime.__version__} cannot "
                             f"run it ({str(exc).splitlines()[0]})") from None
        raise


def batches(n: int) -> list[np.ndarray]:
    """Row numbers of each batch: all rows, then 1,000 at a time (rows repeated to fill one
    batch of 1,000 when there are fewer), then the first rows one by one."""
    every = np.arange(n)
    thousands = [every[i:i + BATCH_ROWS] for i in range(0, n, BATCH_ROWS)] if n >= BATCH_ROWS \
        else [np.resize(every, BATCH_ROWS)] if n else []
    return [every, *thousands, *(every[i:i + 1] for i in range(min(n, SINGLE_ROWS)))]


def agreement(session, predictor, row_sets: list[Rows]) -> Agreement:
    """Raises LrnnError at the first label that differs or probability beyond TOLERANCE."""
    state = predictor.preprocessor.state
    worst, total = 0.0, 0
    for rows in row_sets:
        want_p = predictor.predict_proba(rows.X)
        want_label = np.asarray(predictor.predict(rows.X)).astype(str)
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
                        f"{got[differ[0]]!r}, lrnn predict's is {want_label[i]!r}; the ONNX file "
                        f"was not written")
    gap = np.abs(np.asarray(probs, dtype=np.float64) - want_p[index])
    beyond = np.flatnonzero(~(gap <= TOLERANCE).all(axis=1))  # NaN counts as beyond
    if beyond.size:
        i = int(index[beyond[0]])
        raise LrnnError(f"onnxruntime's probabilities for row {i} of the {rows.what} differ "
                        f"from lrnn predict's by {gap[beyond[0]].max():.3g} (more than "
                        f"{TOLERANCE:g}); the ONNX file was not written")
    return float(gap.max()) if gap.size else 0.0
