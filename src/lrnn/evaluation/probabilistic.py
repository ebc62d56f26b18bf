"""Scores of predicted probabilities themselves: log-loss, the Brier score and the expected
calibration error, with the calibration bins the reliability diagram draws.

Log-loss and Brier are scikit-learn's (log_loss with labels=range(K), brier_score_loss) by the
same arithmetic, in numpy because importing sklearn.metrics costs ~1.65 s of every run (see
ranking.py). Expected calibration error has no scikit-learn function.
"""

from __future__ import annotations

import numpy as np

ECE_BINS = 15  # equal-width bins of the top-class confidence over [0, 1]


def _one_hot(y: np.ndarray, n_classes: int, dtype) -> np.ndarray:
    return (np.asarray(y)[:, None] == np.arange(n_classes)).astype(dtype)


def log_loss(y: np.ndarray, probs: np.ndarray) -> float:
    """Mean of -log p(true class), probs: [N, K], y: [N] class indices. Each probability is
    first clipped to [eps, 1 - eps] of its float type, scikit-learn's rule, so that a
    probability of 0 costs a large finite loss rather than infinity."""
    eps = np.finfo(probs.dtype).eps
    clipped = np.clip(probs, eps, 1 - eps)
    return float(np.average(-np.log(clipped[np.arange(len(y)), y])))


def brier_score(y: np.ndarray, probs: np.ndarray) -> float:
    """Mean over rows of the squared distance between probs [N, K] and the one-hot label,
    halved for two classes. scikit-learn's brier_score_loss: binary (on p = probs[:, 1]) the
    mean of (y - p)^2, which is the halved two-column distance; K classes unhalved."""
    if probs.shape[1] == 2:
        p = probs[:, 1]
        rows = np.stack((1 - p, p), axis=1)
        scale = 0.5
    else:
        rows, scale = probs, 1.0
    distance = np.sum((_one_hot(y, rows.shape[1], rows.dtype) - rows) ** 2, axis=1)
    return float(np.average(distance) * scale)


def calibration_bins(confidence: np.ndarray, hit: np.ndarray, n_bins: int = ECE_BINS):
    """Per equal-width bin of `confidence` over [0, 1]: (count, mean confidence, mean hit).

    Bin b holds b/n <= confidence < (b+1)/n; confidence 1.0 goes to the last bin. Empty bins
    have count 0 and NaN means."""
    index = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, n_bins) / count
        mean_hit = np.bincount(index, hit.astype(np.float64), n_bins) / count
    return count, mean_confidence, mean_hit


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, n_bins: int = ECE_BINS) -> float:
    """Sum over bins of (share of rows) * |accuracy - mean confidence|, binned on the
    top-class probability with the top class as the prediction (Guo et al., 2017)."""
    count, mean_confidence, accuracy = calibration_bins(probs.max(axis=1),
                                                        probs.argmax(axis=1) == y, n_bins)
    filled = count > 0
    gaps = np.abs(accuracy[filled] - mean_confidence[filled])
    return float(np.sum(count[filled] / len(y) * gaps))
