"""Metrics from logits and labels, computed with scikit-learn (imported only here).

Expected calibration error has no scikit-learn function; it is computed here from
`calibration_bins`, which the reliability diagram (plot_curves.py) draws from too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..models.numpy_forward import mean_loss, predicted_classes, probabilities

ECE_BINS = 15  # equal-width bins of the top-class confidence over [0, 1]


def evaluate(logits: np.ndarray, y: np.ndarray, classes: tuple[str, ...],
             threshold: float) -> dict[str, Any]:
    from sklearn import metrics

    n_classes = len(classes)
    y_pred = predicted_classes(logits, threshold)
    labels = np.arange(n_classes)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        y, y_pred, labels=labels, zero_division=0)
    result: dict[str, Any] = {
        "n": int(len(y)),
        "accuracy": float(metrics.accuracy_score(y, y_pred)),
        "balanced_accuracy": _balanced_accuracy(y, y_pred),
        "loss": mean_loss(logits, y),
        "macro": _averaged(y, y_pred, labels, "macro"),
        "weighted": _averaged(y, y_pred, labels, "weighted"),
        **probability_metrics(probabilities(logits), y),
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


def _balanced_accuracy(y, y_pred) -> float:
    """Mean recall over the classes present in y. scikit-learn warns when a prediction names
    a class that y lacks, which small test splits of many classes do; the score is still
    defined, so the warning is kept off the user's terminal."""
    import warnings

    from sklearn import metrics

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="y_pred contains classes not in y_true")
        return float(metrics.balanced_accuracy_score(y, y_pred))


def _averaged(y, y_pred, labels, average: str) -> dict[str, float]:
    from sklearn import metrics

    p, r, f, _ = metrics.precision_recall_fscore_support(y, y_pred, labels=labels,
                                                         average=average, zero_division=0)
    return {"precision": float(p), "recall": float(r), "f1": float(f)}


def probability_metrics(probs: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Scores of the probabilities themselves, whatever the threshold.

    probs: [N, K] (binary: [1 - p, p]). Brier: binary mean (y - p)^2; K classes the mean over
    rows of the squared distance to the one-hot label (Brier's own definition, as
    scikit-learn's brier_score_loss). ROC-AUC and average precision: binary on p; K classes
    one-vs-rest, macro-averaged; null when some class has no test row (undefined)."""
    from sklearn import metrics

    k = probs.shape[1]
    labels = np.arange(k)
    result = {
        "log_loss": float(metrics.log_loss(y, probs, labels=labels)),
        "brier": float(metrics.brier_score_loss(y, probs[:, 1] if k == 2 else probs,
                                                labels=None if k == 2 else labels)),
        "roc_auc": None,
        "average_precision": None,
        "ece": expected_calibration_error(probs, y),
        "ece_bins": ECE_BINS,
    }
    if np.array_equal(np.unique(y), labels):
        if k == 2:
            result["roc_auc"] = float(metrics.roc_auc_score(y, probs[:, 1]))
            result["average_precision"] = float(metrics.average_precision_score(y, probs[:, 1]))
        else:
            from sklearn.preprocessing import label_binarize

            result["roc_auc"] = float(metrics.roc_auc_score(y, probs, multi_class="ovr",
                                                            average="macro", labels=labels))
            result["average_precision"] = float(metrics.average_precision_score(
                label_binarize(y, classes=labels), probs, average="macro"))
    return result


def calibration_bins(confidence: np.ndarray, hit: np.ndarray, n_bins: int = ECE_BINS):
    """Per equal-width bin of `confidence` over [0, 1]: (count, mean confidence, mean hit).

    Bin b holds b/n <= confidence < (b+1)/n; confidence 1.0 goes to the last bin. Empty bins
    have count 0 and NaN means."""
    index = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
    count = np.bincount(index, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(index, confidence, n_bins) / count
        mean_hit = np.bincount(index, hit.astype(np.float64), n_bins) / count
    return count, mean_confidence, mean_hit


def expected_calibration_error(probs: np.ndarray, y: np.ndarray, n_bins: int = ECE_BINS) -> float:
    """Sum over bins of (share of rows) * |accuracy - mean confidence|, binned on the
    top-class probability with the top class as the prediction (Guo et al., 2017)."""
    count, mean_confidence, accuracy = calibration_bins(probs.max(axis=1),
                                                        probs.argmax(axis=1) == y, n_bins)
    filled = count > 0
    gaps = np.abs(accuracy[filled] - mean_confidence[filled])
    return float(np.sum(count[filled] / len(y) * gaps))


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
