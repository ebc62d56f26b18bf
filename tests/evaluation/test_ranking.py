"""ROC and precision-recall curves, ROC-AUC and average precision: the very points and
numbers of scikit-learn's functions, on scores with and without ties."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics
from sklearn.preprocessing import label_binarize

from lrnn.evaluation import ranking


def _binary_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (positive [N] 0/1 or bool, score [N])."""
    rng = np.random.default_rng(7)
    score = rng.random(500)
    positive = (rng.random(500) < score).astype(np.int64)
    out = {"random": (positive, score)}
    out["heavy ties (scores to one decimal)"] = (positive, np.round(score, 1))
    out["every score tied"] = (positive, np.full(500, 0.25))
    out["bool labels, float32 scores"] = (positive == 1, score.astype(np.float32))
    out["perfectly separated"] = (positive, positive + 0.1 * score)
    out["perfectly wrong"] = (positive, -positive + 0.1 * score)
    out["two rows"] = (np.array([0, 1]), np.array([0.4, 0.6]))
    out["two rows, tied"] = (np.array([1, 0]), np.array([0.5, 0.5]))
    out["three rows"] = (np.array([1, 0, 1]), np.array([0.2, 0.9, 0.2]))
    rare = np.zeros(300, np.int64)
    rare[123] = 1
    out["one positive row"] = (rare, rng.random(300))
    big = rng.random(10_000)
    out["10,000 rows, scores on a 1/1000 grid"] = ((rng.random(10_000) < big).astype(int),
                                                    np.round(big, 3))
    return out


BINARY = _binary_cases()


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("drop_intermediate", [True, False])
def test_roc_curve_points_are_sklearns(name, drop_intermediate):
    positive, score = BINARY[name]
    ours = ranking.roc_curve(positive, score, drop_intermediate=drop_intermediate)
    theirs = metrics.roc_curve(positive, score, drop_intermediate=drop_intermediate)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(BINARY))
def test_precision_recall_curve_points_are_sklearns(name):
    positive, score = BINARY[name]
    ours = ranking.precision_recall_curve(positive, score)
    theirs = metrics.precision_recall_curve(positive, score)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def test_dropping_intermediate_points_leaves_fewer_on_tied_and_large_inputs():
    positive, score = BINARY["10,000 rows, scores on a 1/1000 grid"]
    kept = ranking.roc_curve(positive, score)[0].shape[0]
    assert kept < ranking.roc_curve(positive, score, drop_intermediate=False)[0].shape[0] < 1003


@pytest.mark.parametrize("name", list(BINARY))
def test_auc_and_average_precision_are_sklearns(name):
    positive, score = BINARY[name]
    assert ranking.binary_roc_auc(positive, score) == pytest.approx(
        metrics.roc_auc_score(positive, score), rel=1e-12, abs=1e-15)
    assert ranking.binary_average_precision(positive, score) == pytest.approx(
        metrics.average_precision_score(positive, score), rel=1e-12, abs=1e-15)


def test_the_known_values():
    assert ranking.binary_roc_auc(*BINARY["perfectly separated"]) == 1.0
    assert ranking.binary_roc_auc(*BINARY["perfectly wrong"]) == 0.0
    assert ranking.binary_roc_auc(*BINARY["every score tied"]) == 0.5
    positive, _ = BINARY["every score tied"]
    assert ranking.binary_average_precision(*BINARY["every score tied"]) == positive.mean()


@pytest.mark.parametrize("labels", [np.zeros(20, int), np.ones(20, int)])
def test_a_single_kind_of_row(labels):
    """No ROC area; the curves as scikit-learn gives them (NaN rates, recall 1), quietly."""
    score = np.linspace(0, 1, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours_roc = ranking.roc_curve(labels, score)
        ours_pr = ranking.precision_recall_curve(labels, score)
        assert np.isnan(ranking.binary_roc_auc(labels, score))
        ours_ap = ranking.binary_average_precision(labels, score)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs_roc = metrics.roc_curve(labels, score)
        theirs_pr = metrics.precision_recall_curve(labels, score)
        theirs_ap = metrics.average_precision_score(labels, score)
        assert np.isnan(metrics.roc_auc_score(labels, score))
    for a, b in zip(ours_roc + ours_pr, theirs_roc + theirs_pr):
        np.testing.assert_array_equal(a, b)
    assert ours_ap == pytest.approx(theirs_ap, rel=1e-12, abs=1e-15)


def _multiclass(rng, n: int, k: int, decimals: int | None = None):
    probs = rng.dirichlet(np.ones(k) * 0.7, n)
    if decimals is not None:  # ties, rows still summing to 1
        probs[:, :-1] = np.round(probs[:, :-1], decimals) / 2
        probs[:, -1] = 1 - probs[:, :-1].sum(axis=1)
    y = (probs.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    y[:k] = np.arange(k)  # every class present
    return y, probs


@pytest.mark.parametrize("n, k, decimals", [(300, 3, None), (800, 7, None), (500, 5, 1),
                                            (10_000, 10, None), (10_000, 10, 2), (4, 4, None)])
def test_macro_one_vs_rest_are_sklearns(n, k, decimals):
    y, probs = _multiclass(np.random.default_rng(n + k), n, k, decimals)
    assert ranking.macro_roc_auc(y, probs) == pytest.approx(
        metrics.roc_auc_score(y, probs, multi_class="ovr", average="macro"), rel=1e-12)
    assert ranking.macro_average_precision(y, probs) == pytest.approx(
        metrics.average_precision_score(label_binarize(y, classes=np.arange(k)), probs,
                                        average="macro"), rel=1e-12)
