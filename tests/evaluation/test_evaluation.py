"""Metrics on a small case worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrnn.evaluation import evaluate, expected_calibration_error, probability_metrics


def test_multiclass_metrics_by_hand():
    # true 0,0,1,1,2 ; predicted 0,1,1,1,0
    logits = np.array([[5., 0, 0], [0, 5, 0], [0, 5, 0], [0, 5, 0], [5, 0, 0]], np.float32)
    y = np.array([0, 0, 1, 1, 2])
    m = evaluate(logits, y, ("a", "b", "c"), 0.5)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert m["per_class"]["a"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5,
                                                 "support": 2})
    assert m["per_class"]["b"]["precision"] == pytest.approx(2 / 3)
    assert m["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert m["loss"] == pytest.approx(float(-np.log(p[np.arange(5), y]).mean()), rel=1e-6)
    assert "threshold" not in m


def test_binary_uses_threshold():
    logits = np.array([[math.log(0.6 / 0.4)], [-3.0], [3.0]], np.float32)  # p = 0.6, .05, .95
    y = np.array([1, 0, 1])
    assert evaluate(logits, y, ("no", "yes"), 0.5)["accuracy"] == 1.0
    strict = evaluate(logits, y, ("no", "yes"), 0.7)
    assert strict["accuracy"] == pytest.approx(2 / 3) and strict["threshold"] == 0.7
    assert strict["confusion_matrix"] == [[1, 0], [1, 1]]


def test_expected_calibration_error_by_hand():
    # top-class confidences .9 (right), .8 (wrong), .7 (right), .6 (wrong): one per bin
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    y = np.array([0, 1, 1, 1])
    assert expected_calibration_error(probs, y) == pytest.approx((0.1 + 0.8 + 0.3 + 0.6) / 4)
    # .90 and .92 share the bin [13/15, 14/15): mean confidence .91, accuracy 1/2
    probs = np.array([[0.9, 0.1], [0.08, 0.92]])
    assert expected_calibration_error(probs, np.array([0, 0])) == pytest.approx(0.41)
    # one bin over everything: |accuracy - mean confidence|
    assert expected_calibration_error(probs, np.array([0, 0]), n_bins=1) == pytest.approx(0.41)


def test_brier_auc_and_average_precision_by_hand():
    binary = probability_metrics(np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]]),
                                 np.array([0, 1, 0]))
    assert binary["brier"] == pytest.approx((0.1 ** 2 + 0.2 ** 2 + 0.6 ** 2) / 3)
    # positives' score .8 beats both negatives (.1, .6): a perfect ranking
    assert binary["roc_auc"] == 1.0 and binary["average_precision"] == 1.0
    three = probability_metrics(np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.2, 0.3, 0.5]]),
                                np.array([0, 1, 2]))
    rows = [0.3 ** 2 + 0.2 ** 2 + 0.1 ** 2, 0.1 ** 2 + 0.9 ** 2 + 0.8 ** 2,
            0.2 ** 2 + 0.3 ** 2 + 0.5 ** 2]
    assert three["brier"] == pytest.approx(np.mean(rows))  # squared distance to one-hot
    assert three["log_loss"] == pytest.approx(-np.mean(np.log([0.7, 0.1, 0.5])))
    # one vs rest: class 0's row scores .7 over .1, .2 (AUC 1); class 1's row .1 under .2, .3
    # (AUC 0); class 2's row .5 over .1 but under .8 (AUC 1/2)
    assert three["roc_auc"] == pytest.approx((1.0 + 0.0 + 0.5) / 3)


def test_auc_is_null_when_a_class_has_no_test_row():
    m = probability_metrics(np.array([[0.7, 0.2, 0.1], [0.6, 0.3, 0.1]]), np.array([0, 1]))
    assert m["roc_auc"] is None and m["average_precision"] is None
    assert m["brier"] == pytest.approx(np.mean([0.09 + 0.04 + 0.01, 0.36 + 0.49 + 0.01]))


def test_a_predicted_class_absent_from_the_test_rows_raises_no_warning():
    """Small test splits of many classes lack some classes; balanced accuracy is still the
    mean recall over the classes present (here (1 + 0) / 2), without a warning."""
    import warnings

    logits = np.array([[5., 0, 0], [0, 0, 5]], np.float32)  # predicted 0, 2; true 0, 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = evaluate(logits, np.array([0, 1]), ("a", "b", "c"), 0.5)
    assert m["balanced_accuracy"] == pytest.approx(0.5)
