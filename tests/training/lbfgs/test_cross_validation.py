"""The folds solved at once: each fold's model is scikit-learn's LogisticRegression on the
fold's training rows (the oracle), and the logits come from the fold that held the row out."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.preprocessing import StandardScaler

from lrnn.data.split import stratified_folds
from lrnn.preprocessing.prepare import TrainData
from lrnn.training.lbfgs.cross_validation import Folds, out_of_fold_logits

K = 5


def pooled(load, seed=0, weights=None):
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    fold = stratified_folds(y, K, seed)
    half = len(y) // 2  # two parts, as the training and validation splits come
    w = None if weights is None else torch.from_numpy(weights.astype(np.float32))
    parts = [TrainData(torch.from_numpy(X[:half]), torch.from_numpy(y[:half]),
                       None if w is None else w[:half]),
             TrainData(torch.from_numpy(X[half:]), torch.from_numpy(y[half:]),
                       None if w is None else w[half:])]
    return X.astype(np.float64), y, fold, Folds.of(parts, fold, int(y.max()) + 1)


def oracle_probabilities(X, y, fold, C, class_weight=None, sample_weight=None):
    """[N, classes] probabilities of each row by scikit-learn's model of its fold."""
    proba = np.zeros((len(y), int(y.max()) + 1))
    for k in range(K):
        train = fold != k
        model = LogisticRegression(C=C, tol=1e-10, max_iter=10_000, class_weight=class_weight)
        model.fit(X[train], y[train],
                  sample_weight=None if sample_weight is None else sample_weight[train])
        proba[~train] = model.predict_proba(X[~train])
    return proba


def lrnn_probabilities(folds, C, balanced=False):
    logits, iterations = out_of_fold_logits(folds, 1 / C, lr=1.0, tol=1e-9, max_iter=2_000,
                                            balanced=balanced)
    assert 0 < iterations < 2_000  # converged
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits[:, 0])
        return torch.stack([1 - p, p], 1).numpy()
    return torch.softmax(logits, 1).numpy()


@pytest.mark.parametrize("load, C", [(load_breast_cancer, 0.3), (load_wine, 5.0),
                                     (load_wine, 0.01)])
def test_each_fold_is_scikit_learns_fit_on_its_rows(load, C):
    X, y, fold, folds = pooled(load)
    assert np.abs(lrnn_probabilities(folds, C) - oracle_probabilities(X, y, fold, C)).max() < 1e-4


def test_balanced_weights_are_computed_on_each_folds_training_rows():
    X, y, fold, folds = pooled(load_wine)
    ours = lrnn_probabilities(folds, 0.05, balanced=True)
    oracle = oracle_probabilities(X, y, fold, 0.05, class_weight="balanced")
    assert np.abs(ours - oracle).max() < 1e-4
    assert np.abs(ours - lrnn_probabilities(folds, 0.05)).max() > 1e-3  # the weights matter


def test_sample_weights_enter_each_folds_loss():
    weights = np.random.default_rng(0).uniform(0.2, 3.0, 569)
    X, y, fold, folds = pooled(load_breast_cancer, weights=weights)
    oracle = oracle_probabilities(X, y, fold, 0.5, sample_weight=weights.astype(np.float32))
    assert np.abs(lrnn_probabilities(folds, 0.5) - oracle).max() < 1e-4


def test_between_rounds_is_called_and_can_stop_the_fit():
    _, _, _, folds = pooled(load_breast_cancer)

    class Stop(Exception):
        pass

    calls = []

    def between_rounds():
        calls.append(1)
        raise Stop

    with pytest.raises(Stop):
        out_of_fold_logits(folds, 1e-3, lr=1.0, tol=1e-12, max_iter=500,
                           between_rounds=between_rounds)
    assert calls == [1]


def test_a_fit_starts_from_the_nearest_solution_and_ends_at_the_same_optimum():
    _, y, _, folds = pooled(load_wine)
    fresh, exact = pooled(load_wine)[3], pooled(load_wine)[3]

    def fit(pool, C, tol=1e-4):  # lrnn's default tolerance
        return out_of_fold_logits(pool, 1 / C, lr=1.0, tol=tol, max_iter=2_000)

    def score(logits):  # what a trial is scored on
        return log_loss(y, torch.softmax(logits, 1).numpy())

    fit(folds, 3.0), fit(folds, 300.0)
    (warm, warm_iterations), (cold, cold_iterations) = fit(folds, 4.0), fit(fresh, 4.0)
    assert warm_iterations < cold_iterations / 2  # from C = 3's solution, not C = 300's
    optimum = score(fit(exact, 4.0, tol=1e-10)[0])
    assert score(warm) == pytest.approx(optimum, abs=1e-3)
    assert score(cold) == pytest.approx(optimum, abs=1e-3)
    assert len(folds.solutions) == 3 and len(fresh.solutions) == 1
