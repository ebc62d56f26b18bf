"""Ranking metrics of scores against binary labels: the ROC and precision-recall curves, the
area under the ROC curve and average precision, binary and one-vs-rest macro.

Written in numpy rather than taken from sklearn.metrics because importing that module costs
~1.65 s of every run (most of it scipy), more than the whole MNIST logistic regression fit.
Each function gives scikit-learn's numbers (sklearn.metrics.roc_curve, precision_recall_curve,
roc_auc_score, average_precision_score, without sample weights) by the same arithmetic, in the
same order, so the results agree to the last bit; the tests hold them to it.

`positive` marks the positive rows: True or 1 (scikit-learn's pos_label=1).
"""

from __future__ import annotations

import numpy as np


def _counts_at_thresholds(positive: np.ndarray, score: np.ndarray):
    """(false positives, true positives, threshold) at each distinct score, highest first:
    the rows scoring >= the threshold are called positive. Counts are float64, as
    scikit-learn's confusion_matrix_at_thresholds. The order of tied rows does not matter:
    a threshold always ends a run of ties."""
    score = np.asarray(score)
    order = np.argsort(score)[::-1]
    score = score[order]
    hits = (np.asarray(positive) == 1)[order].astype(np.float64)
    ends = np.concatenate([np.flatnonzero(np.diff(score)), [score.shape[0] - 1]])
    tps = np.cumsum(hits)[ends]
    fps = 1 + ends.astype(np.float64) - tps
    return fps, tps, score[ends]


def roc_curve(positive: np.ndarray, score: np.ndarray, drop_intermediate: bool = True):
    """(false positive rate, true positive rate, thresholds), from (0, 0) at threshold inf.
    drop_intermediate (scikit-learn's default) leaves out the points on a straight segment
    between two others, which neither the plot nor the area needs. A rate is NaN when there
    is no row of its kind (scikit-learn warns then; this stays quiet)."""
    fps, tps, thresholds = _counts_at_thresholds(positive, score)
    if drop_intermediate and fps.shape[0] > 2:
        corners = np.logical_or(np.diff(fps, 2), np.diff(tps, 2))
        keep = np.flatnonzero(np.concatenate([[True], corners, [True]]))
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.concatenate([[0.0], tps])
    fps = np.concatenate([[0.0], fps])
    thresholds = np.concatenate([[np.inf], thresholds.astype(np.float64)])
    fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
    tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
    return fpr, tpr, thresholds


def precision_recall_curve(positive: np.ndarray, score: np.ndarray):
    """(precision, recall, thresholds) by increasing threshold; the last point is
    (precision 1, recall 0) with no threshold. Recall is 1 throughout when there is no
    positive row (as scikit-learn, without its warning)."""
    fps, tps, thresholds = _counts_at_thresholds(positive, score)
    called = tps + fps
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(called != 0, tps / called, 0.0)
    recall = tps / tps[-1] if tps[-1] != 0 else np.full(tps.shape, 1.0)
    return (np.concatenate([precision[::-1], [1.0]]), np.concatenate([recall[::-1], [0.0]]),
            thresholds[::-1])


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    """numpy's trapezoid rule, spelled out: np.trapezoid is numpy >= 2 only (np.trapz before)."""
    return float((np.diff(x) * (y[1:] + y[:-1]) / 2.0).sum())


def binary_roc_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve; NaN unless both kinds of row are present."""
    is_positive = np.asarray(positive) == 1
    if is_positive.all() or not is_positive.any():
        return float("nan")
    fpr, tpr, _ = roc_curve(positive, score)
    return roc_area(fpr, tpr)


def roc_area(fpr: np.ndarray, tpr: np.ndarray) -> float:
    """The area under a curve from roc_curve (so a figure that has the curve needs no second
    sort of the scores)."""
    return _trapezoid(tpr, fpr)


def binary_average_precision(positive: np.ndarray, score: np.ndarray) -> float:
    precision, recall, _ = precision_recall_curve(positive, score)
    return step_area(precision, recall)


def step_area(precision: np.ndarray, recall: np.ndarray) -> float:
    """Sum over thresholds of (gain in recall) * precision: the precision-recall step curve's
    area, without interpolation (clipped at 0 against a rounding -0.0, as scikit-learn)."""
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def _one_vs_rest_mean(metric, y: np.ndarray, probs: np.ndarray) -> float:
    """Mean over the K columns of metric(y == k, probs[:, k]). y holds class indices."""
    scores = np.zeros(probs.shape[1])
    for k in range(probs.shape[1]):
        scores[k] = metric(y == k, np.ascontiguousarray(probs[:, k]))
    return float(np.average(scores))


def macro_roc_auc(y: np.ndarray, probs: np.ndarray) -> float:
    """One-vs-rest ROC-AUC averaged over the classes (roc_auc_score(multi_class="ovr",
    average="macro")); y: [N] class indices, probs: [N, K]."""
    return _one_vs_rest_mean(binary_roc_auc, y, probs)


def macro_average_precision(y: np.ndarray, probs: np.ndarray) -> float:
    """One-vs-rest average precision averaged over the classes (average_precision_score of
    the one-hot labels, average="macro"); y: [N] class indices, probs: [N, K]."""
    return _one_vs_rest_mean(binary_average_precision, y, probs)
