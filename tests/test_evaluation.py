"""Metrics on a small case worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrnn.evaluation import evaluate


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
