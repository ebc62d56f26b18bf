"""Predictions to score (logits and labels, made with a fixed seed) and scikit-learn's answer
for each metric in metrics.json, computed the way lrnn computed them with sklearn.metrics."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn import metrics
from sklearn.preprocessing import label_binarize

# the one import of lrnn's forward pass in these tests
from lrnn.models.numpy_forward import mean_loss, predicted_classes, probabilities


def _softmax_labels(rng, logits: np.ndarray) -> np.ndarray:
    """A label drawn from each row's own softmax: a model that is right about as often as it
    is confident."""
    probs = probabilities(logits)
    return (probs.cumsum(axis=1) > rng.random((len(probs), 1))).argmax(axis=1)


def _random(rng, n: int, k: int, scale: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    logits = (rng.normal(size=(n, 1 if k == 2 else k)) * scale).astype(np.float32)
    if k == 2:
        y = (rng.random(n) < 1 / (1 + np.exp(-logits[:, 0]))).astype(np.int64)
    else:
        y = _softmax_labels(rng, logits)
    return logits, y


def _mnist_like(rng) -> tuple[np.ndarray, np.ndarray]:
    """10,000 x 10, ~90 % right: the size and shape of an MNIST test split."""
    y = rng.integers(0, 10, 10_000)
    logits = rng.normal(size=(10_000, 10)) * 2 + 6 * np.eye(10)[y]
    return logits.astype(np.float32), y


def cases() -> dict[str, tuple[np.ndarray, np.ndarray, int, float]]:
    """name -> (logits [N, 1 or K], y [N], K, threshold)."""
    rng = np.random.default_rng(20240611)
    out: dict[str, tuple[np.ndarray, np.ndarray, int, float]] = {}
    out["binary"] = (*_random(rng, 400, 2), 2, 0.5)
    out["binary, threshold 0.3"] = (*_random(rng, 300, 2), 2, 0.3)
    out["five classes"] = (*_random(rng, 600, 5), 5, 0.5)
    logits, y = _random(rng, 300, 4)
    out["heavy ties: integer logits"] = (np.round(logits), y, 4, 0.5)
    logits, y = _random(rng, 300, 2, scale=3.0)
    out["heavy ties: binary logits in halves"] = (np.round(logits * 2) / 2, y, 2, 0.5)
    logits, y = _random(rng, 200, 4)
    keep = y != 3  # class 3 is still predicted for some rows
    out["a class absent from y"] = (logits[keep], y[keep], 4, 0.5)
    logits, y = _random(rng, 200, 4)
    logits[:, 2] -= 20  # never the argmax
    out["a class never predicted"] = (logits, y, 4, 0.5)
    logits, y = _random(rng, 200, 2)
    out["binary, nothing called positive"] = (logits - 50, y, 2, 0.5)
    out["two rows, three classes"] = (np.float32([[2, 0, 1], [0, 1, 3]]), np.array([0, 2]), 3, 0.5)
    out["two rows, binary"] = (np.float32([[0.3], [-1.0]]), np.array([0, 1]), 2, 0.5)
    out["one row"] = (np.float32([[1, 2, 0]]), np.array([1]), 3, 0.5)
    logits, y = _random(rng, 60, 3)
    y[y == 2] = 0
    y[17] = 2
    out["one row of a class"] = (logits, y, 3, 0.5)
    logits, _ = _random(rng, 50, 2)
    out["binary, one class present"] = (logits, np.ones(50, np.int64), 2, 0.5)
    logits, _ = _random(rng, 50, 3)
    out["three classes, one present"] = (logits, np.zeros(50, np.int64), 3, 0.5)
    y = rng.integers(0, 6, 120)
    out["all right"] = ((np.eye(6)[y] * 9).astype(np.float32), y, 6, 0.5)
    out["MNIST size, 10,000 x 10"] = (*_mnist_like(rng), 10, 0.5)
    return out


def sklearn_metrics(logits: np.ndarray, y: np.ndarray, k: int, threshold: float) -> dict[str, Any]:
    """metrics.json's "test" block from sklearn.metrics (lrnn's own computation before it
    moved to numpy), names as class numbers."""
    y_pred = predicted_classes(logits, threshold)
    probs = probabilities(logits)
    labels = np.arange(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, support = metrics.precision_recall_fscore_support(y, y_pred, labels=labels,
                                                                   zero_division=0)
        result = {
            "n": len(y), "accuracy": metrics.accuracy_score(y, y_pred),
            "balanced_accuracy": metrics.balanced_accuracy_score(y, y_pred),
            "loss": mean_loss(logits, y),
            **{average: dict(zip(("precision", "recall", "f1"),
                                 metrics.precision_recall_fscore_support(
                                     y, y_pred, labels=labels, average=average,
                                     zero_division=0)[:3]))
               for average in ("macro", "weighted")},
            **sklearn_probability_metrics(probs, y),
            "per_class": {str(c): {"precision": p[c], "recall": r[c], "f1": f[c],
                                   "support": int(support[c])} for c in range(k)},
            "classes": [str(c) for c in range(k)],
            "confusion_matrix": metrics.confusion_matrix(y, y_pred, labels=labels).tolist(),
        }
    if k == 2:
        result["threshold"] = threshold
    return result


def sklearn_probability_metrics(probs: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    k = probs.shape[1]
    labels = np.arange(k)
    result = {
        "log_loss": metrics.log_loss(y, probs, labels=labels),
        "brier": metrics.brier_score_loss(y, probs[:, 1]) if k == 2
        else metrics.brier_score_loss(y, probs, labels=labels),
        "roc_auc": None, "average_precision": None,
    }
    if np.array_equal(np.unique(y), labels):
        if k == 2:
            result["roc_auc"] = metrics.roc_auc_score(y, probs[:, 1])
            result["average_precision"] = metrics.average_precision_score(y, probs[:, 1])
        else:
            result["roc_auc"] = metrics.roc_auc_score(y, probs, multi_class="ovr",
                                                      average="macro", labels=labels)
            result["average_precision"] = metrics.average_precision_score(
                label_binarize(y, classes=labels), probs, average="macro")
    return result


def assert_same(ours: Any, theirs: Any, where: str = "", rel: float = 1e-12) -> None:
    """Equal structure, equal keys, exact ints, floats within `rel`, None for None."""
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and set(ours) == set(theirs), (where, ours, theirs)
        for key in theirs:
            assert_same(ours[key], theirs[key], f"{where}/{key}", rel)
    elif isinstance(theirs, list):
        assert ours == theirs, where
    elif theirs is None or isinstance(theirs, (str, bool)):
        assert ours == theirs, (where, ours, theirs)
    elif isinstance(theirs, (int, np.integer)):
        assert type(ours) is int and ours == theirs, (where, ours, theirs)
    else:
        assert type(ours) is float, (where, type(ours))
        assert ours == _approx(float(theirs), rel), (where, ours, theirs)


def _approx(value: float, rel: float):
    import pytest

    return pytest.approx(value, rel=rel, abs=1e-15, nan_ok=True)
