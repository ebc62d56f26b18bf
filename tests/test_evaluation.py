"""Metrics on a small case worked by hand."""

from __future__ import annotations

import math

import pytest
import torch

from lrnn.evaluation import evaluate


def test_multiclass_metrics_by_hand():
    # true 0,0,1,1,2 ; predicted 0,1,1,1,0
    logits = torch.tensor([[5., 0, 0], [0, 5, 0], [0, 5, 0], [0, 5, 0], [5, 0, 0]])
    y = torch.tensor([0, 0, 1, 1, 2])
    m = evaluate(logits, y, ("a", "b", "c"), 0.5)
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert m["per_class"]["a"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5,
                                                 "support": 2})
    assert m["per_class"]["b"]["precision"] == pytest.approx(2 / 3)
    assert m["per_class"]["c"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    p_true = torch.softmax(logits, 1)[torch.arange(5), y]
    assert m["loss"] == pytest.approx(float(-p_true.log().mean()), rel=1e-6)
    assert "threshold" not in m


def test_binary_uses_threshold():
    logits = torch.tensor([[math.log(0.6 / 0.4)], [-3.0], [3.0]])  # p = 0.6, 0.05, 0.95
    y = torch.tensor([1, 0, 1])
    assert evaluate(logits, y, ("no", "yes"), 0.5)["accuracy"] == 1.0
    strict = evaluate(logits, y, ("no", "yes"), 0.7)
    assert strict["accuracy"] == pytest.approx(2 / 3) and strict["threshold"] == 0.7
    assert strict["confusion_matrix"] == [[1, 0], [1, 1]]
