"""metrics.json's "test" block: one split's logits and labels scored by every metric.

The model's probabilities and decisions come from the numpy forward pass (inference.py), the
same path as `lrnn predict`, so the two agree exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..models.numpy_forward import mean_loss, predicted_classes, probabilities
from . import classification, probabilistic, ranking
from .probabilistic import ECE_BINS, expected_calibration_error


def evaluate(logits: np.ndarray, y: np.ndarray, classes: tuple[str, ...],
             threshold: float) -> dict[str, Any]:
    """logits: [N, 1] (binary) or [N, K]; y: [N] class indices into `classes`."""
    n_classes = len(classes)
    y_pred = predicted_classes(logits, threshold)
    matrix = classification.confusion_matrix(y, y_pred, n_classes)
    scores = classification.per_class_scores(matrix)
    result: dict[str, Any] = {
        "n": int(len(y)),
        "accuracy": classification.accuracy(y, y_pred),
        "balanced_accuracy": classification.balanced_accuracy(matrix),
        "loss": mean_loss(logits, y),
        "macro": classification.averaged_scores(scores, "macro"),
        "weighted": classification.averaged_scores(scores, "weighted"),
        **probability_metrics(probabilities(logits), y),
        "per_class": {
            name: {"precision": float(scores["precision"][k]),
                   "recall": float(scores["recall"][k]),
                   "f1": float(scores["f1"][k]), "support": int(scores["support"][k])}
            for k, name in enumerate(classes)
        },
        "classes": list(classes),
        "confusion_matrix": matrix.tolist(),
    }
    if n_classes == 2:
        result["threshold"] = threshold
    return result


def probability_metrics(probs: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Scores of the probabilities themselves, whatever the threshold.

    probs: [N, K] (binary: [1 - p, p]). Brier: binary mean (y - p)^2; K classes the mean over
    rows of the squared distance to the one-hot label (Brier's own definition, as
    scikit-learn's brier_score_loss). ROC-AUC and average precision: binary on p; K classes
    one-vs-rest, macro-averaged; null when some class has no test row (undefined)."""
    k = probs.shape[1]
    result = {
        "log_loss": probabilistic.log_loss(y, probs),
        "brier": probabilistic.brier_score(y, probs),
        "roc_auc": None,
        "average_precision": None,
        "ece": expected_calibration_error(probs, y),
        "ece_bins": ECE_BINS,
    }
    if _every_class_present(np.asarray(y), k):
        if k == 2:
            result["roc_auc"] = ranking.binary_roc_auc(y == 1, probs[:, 1])
            result["average_precision"] = ranking.binary_average_precision(y == 1, probs[:, 1])
        else:
            result["roc_auc"] = ranking.macro_roc_auc(y, probs)
            result["average_precision"] = ranking.macro_average_precision(y, probs)
    return result


def _every_class_present(y: np.ndarray, k: int) -> bool:
    """Whether the labels are the classes 0..k-1, each at least once. Counted rather than
    compared with np.unique(y), whose first call imports numpy.ma (~7 ms of every run's
    final scoring)."""
    if not np.issubdtype(y.dtype, np.integer):
        return bool(np.array_equal(np.unique(y), np.arange(k)))
    if not len(y) or y.min() < 0:
        return False
    counts = np.bincount(y, minlength=k)
    return len(counts) == k and bool(counts.all())
