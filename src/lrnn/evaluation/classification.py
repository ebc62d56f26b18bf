"""Metrics of predicted class indices against true ones: accuracy, balanced accuracy, the
confusion matrix, and per-class precision, recall, F1 and support with their macro and
weighted averages.

numpy rather than sklearn.metrics, whose import costs ~1.65 s of every run (see ranking.py).
The numbers are scikit-learn's (accuracy_score, balanced_accuracy_score, confusion_matrix,
precision_recall_fscore_support with labels=range(K) and zero_division=0) by the same
arithmetic: every count is an integer, every ratio one float64 division.
"""

from __future__ import annotations

import numpy as np


def confusion_matrix(y: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """[K, K] int64 counts: row = true class, column = predicted class."""
    pairs = np.asarray(y, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def accuracy(y: np.ndarray, y_pred: np.ndarray) -> float:
    return float(np.mean(np.asarray(y) == np.asarray(y_pred)))


def balanced_accuracy(matrix: np.ndarray) -> float:
    """Mean recall over the classes that have a true row. A class only predicted (none of
    the true rows) is left out, as scikit-learn does, silently where it warns."""
    support = matrix.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(matrix)[present] / support[present]))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator as float64, 0 where the denominator is 0 (zero_division=0)."""
    empty = denominator == 0
    safe = np.where(empty, 1, denominator).astype(np.float64)
    result = np.asarray(numerator, dtype=np.float64) / safe
    result[empty] = 0.0
    return result


def per_class_scores(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """precision, recall, f1 ([K] float64) and support ([K] int64) from the confusion matrix.
    F1 = 2 tp / (true + predicted), the form scikit-learn computes (equal to the harmonic
    mean of precision and recall, without their rounding)."""
    tp = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    support = matrix.sum(axis=1)
    f1_denominator = 1.0 * support.astype(np.float64) + predicted.astype(np.float64)
    return {
        "precision": _ratio(tp, predicted),
        "recall": _ratio(tp, support),
        "f1": _ratio(2.0 * tp.astype(np.float64), f1_denominator),
        "support": support,
    }


def averaged_scores(scores: dict[str, np.ndarray], average: str) -> dict[str, float]:
    """Precision, recall and F1 averaged over the K classes: "macro" unweighted, "weighted"
    by support (macro when no class has support, as scikit-learn falls back)."""
    weights = scores["support"] if average == "weighted" and scores["support"].sum() else None
    return {name: float(np.average(scores[name], weights=weights))
            for name in ("precision", "recall", "f1")}
