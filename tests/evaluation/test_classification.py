"""Accuracy, balanced accuracy, the confusion matrix and per-class precision, recall, F1 and
support with their averages: scikit-learn's numbers on labels with missing classes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics

from lrnn.evaluation import classification


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    """name -> (y [N], y_pred [N], K)."""
    rng = np.random.default_rng(11)
    y = rng.integers(0, 6, 700)
    noisy = np.where(rng.random(700) < 0.7, y, rng.integers(0, 6, 700))
    out = {"six classes, 70 % right": (y, noisy, 6)}
    out["a class in neither y nor y_pred"] = (np.minimum(y, 4), np.minimum(noisy, 4), 6)
    out["a class only predicted"] = (np.minimum(y, 4), noisy, 6)
    out["a class never predicted"] = (y, np.minimum(noisy, 4), 6)
    out["everything predicted as one class"] = (y, np.zeros(700, np.int64), 6)
    out["binary"] = (y % 2, noisy % 2, 2)
    out["one row"] = (np.array([1]), np.array([2]), 3)
    out["two rows, both wrong"] = (np.array([0, 1]), np.array([1, 0]), 2)
    out["one class in y"] = (np.zeros(30, np.int64), rng.integers(0, 3, 30), 3)
    big = rng.integers(0, 10, 10_000)
    out["10,000 rows, 10 classes"] = (big, np.where(rng.random(10_000) < 0.92, big,
                                                    rng.integers(0, 10, 10_000)), 10)
    return out


CASES = _cases()


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


@pytest.mark.parametrize("name", list(CASES))
def test_counts_and_accuracies_are_sklearns(name):
    y, y_pred, k = CASES[name]
    matrix = classification.confusion_matrix(y, y_pred, k)
    theirs = _quiet(metrics.confusion_matrix, y, y_pred, labels=np.arange(k))
    assert matrix.dtype == np.int64 and matrix.tolist() == theirs.tolist()
    assert classification.accuracy(y, y_pred) == metrics.accuracy_score(y, y_pred)
    assert classification.balanced_accuracy(matrix) == pytest.approx(
        _quiet(metrics.balanced_accuracy_score, y, y_pred), rel=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_per_class_and_averaged_scores_are_sklearns(name):
    y, y_pred, k = CASES[name]
    scores = classification.per_class_scores(classification.confusion_matrix(y, y_pred, k))
    theirs = _quiet(metrics.precision_recall_fscore_support, y, y_pred, labels=np.arange(k),
                    zero_division=0)
    for ours, expected in zip((scores["precision"], scores["recall"], scores["f1"]), theirs):
        np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=0)
    assert scores["support"].tolist() == theirs[3].astype(int).tolist()
    for average in ("macro", "weighted"):
        expected = _quiet(metrics.precision_recall_fscore_support, y, y_pred,
                          labels=np.arange(k), average=average, zero_division=0)[:3]
        ours = classification.averaged_scores(scores, average)
        assert ours == pytest.approx(dict(zip(("precision", "recall", "f1"), expected)),
                                     rel=1e-12, abs=1e-15)


def test_zero_division_gives_zero():
    scores = classification.per_class_scores(
        classification.confusion_matrix(np.array([0, 0, 1]), np.array([0, 0, 0]), 3))
    assert scores["precision"].tolist() == [2 / 3, 0.0, 0.0]
    assert scores["recall"].tolist() == [1.0, 0.0, 0.0]
    assert scores["f1"].tolist() == [0.8, 0.0, 0.0]
    assert scores["support"].tolist() == [2, 1, 0]
