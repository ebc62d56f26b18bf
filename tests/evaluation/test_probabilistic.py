"""Log-loss and the Brier score: scikit-learn's numbers, clipping of 0 and 1 included."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics

from lrnn.evaluation import probabilistic


def _cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (y [N], probs [N, K])."""
    rng = np.random.default_rng(5)
    out = {}
    for k in (2, 3, 10):
        probs = rng.dirichlet(np.ones(k), 400)
        y = (probs.cumsum(axis=1) > rng.random((400, 1))).argmax(axis=1)
        out[f"{k} classes"] = (y, probs)
    y, probs = out["3 classes"]
    hard = np.eye(3)[np.where(rng.random(400) < 0.8, y, (y + 1) % 3)]  # 0s and 1s
    out["probabilities of exactly 0 and 1"] = (y, hard)
    out["float32 probabilities"] = (y, probs.astype(np.float32))
    out["a class missing from y"] = (np.minimum(y, 1), probs)
    out["binary, one class in y"] = (np.ones(400, np.int64), out["2 classes"][1])
    out["one row"] = (np.array([2]), np.array([[0.2, 0.3, 0.5]]))
    big = rng.dirichlet(np.ones(10) * 0.3, 10_000)
    out["10,000 x 10"] = ((big.cumsum(axis=1) > rng.random((10_000, 1))).argmax(axis=1), big)
    return out


CASES = _cases()


@pytest.mark.parametrize("name", list(CASES))
def test_log_loss_is_sklearns(name):
    y, probs = CASES[name]
    expected = metrics.log_loss(y, probs, labels=np.arange(probs.shape[1]))
    assert probabilistic.log_loss(y, probs) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_brier_is_sklearns(name):
    y, probs = CASES[name]
    k = probs.shape[1]
    expected = (metrics.brier_score_loss(y, probs[:, 1]) if k == 2
                else metrics.brier_score_loss(y, probs, labels=np.arange(k)))
    assert probabilistic.brier_score(y, probs) == pytest.approx(expected, rel=1e-12)


def test_clipping_makes_a_certain_mistake_finite():
    loss = probabilistic.log_loss(np.array([0]), np.array([[0.0, 1.0]]))
    assert loss == pytest.approx(-np.log(np.finfo(np.float64).eps))
    assert probabilistic.log_loss(np.array([1]), np.array([[0.0, 1.0]])) < 1e-15
