"""Metrics from logits and labels, computed with scikit-learn (imported only here)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .inference import mean_loss, predicted_classes


def evaluate(logits: np.ndarray, y: np.ndarray, classes: tuple[str, ...],
             threshold: float) -> dict[str, Any]:
    from sklearn import metrics

    n_classes = len(classes)
    y_pred = predicted_classes(logits, threshold)
    labels = np.arange(n_classes)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, y_pred, labels=labels, zero_division=0)
    macro = metrics.precision_recall_fscore_support(y, y_pred, labels=labels, average="macro",
                                                    zero_division=0)
    result: dict[str, Any] = {
        "n": int(len(y)),
        "accuracy": float(metrics.accuracy_score(y, y_pred)),
        "loss": mean_loss(logits, y),
        "macro": {"precision": float(macro[0]), "recall": float(macro[1]), "f1": float(macro[2])},
        "per_class": {
            name: {"precision": float(precision[k]), "recall": float(recall[k]),
                   "f1": float(f1[k]), "support": int(support[k])}
            for k, name in enumerate(classes)
        },
        "classes": list(classes),
        "confusion_matrix": metrics.confusion_matrix(y, y_pred, labels=labels).tolist(),
    }
    if n_classes == 2:
        result["threshold"] = threshold
    return result


def coefficients(weights: dict[str, np.ndarray], classes: tuple[str, ...],
                 features: list[str]) -> dict[str, Any]:
    """Logistic regression's weights by feature name, per class (binary: the positive class's
    log-odds). Numbers are per standard deviation, categories per 0/1 level column."""
    W, b = weights["linear.weight"], weights["linear.bias"]
    rows = classes[1:] if len(classes) == 2 else classes
    return {
        "scale": "per standard deviation of a number; per 0/1 level column of a category",
        "intercept": {cls: float(b[k]) for k, cls in enumerate(rows)},
        "by_class": {cls: dict(zip(features, map(float, W[k]))) for k, cls in enumerate(rows)},
    }
