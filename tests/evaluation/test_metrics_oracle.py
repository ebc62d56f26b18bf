"""Every test metric in metrics.json, recomputed with scikit-learn from the run's saved
predictions.csv alone, for the MNIST logistic regression (10 classes) and the breast-cancer one
(binary), plus the MNIST weight templates against the class mean images."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from lrnn.artifacts import load_run
from lrnn.data.idx.locate import load_idx_dataset
from lrnn.reporting.image_figures import class_templates


def saved_predictions(run: Path, classes: list[str]):
    """(true [N], predicted [N], probabilities [N, K]) as class indices, read with csv."""
    with open(run / "predictions.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["true", "prediction"] + [f"proba_{c}" for c in classes]
    index = {c: k for k, c in enumerate(classes)}
    true = np.array([index[r[0]] for r in rows[1:]])
    predicted = np.array([index[r[1]] for r in rows[1:]])
    probs = np.array([[float(p) for p in r[2:]] for r in rows[1:]])
    return true, predicted, probs


def ece_by_loop(probs: np.ndarray, y: np.ndarray, n_bins: int) -> float:
    """Guo et al.'s ECE written out bin by bin: top-class confidence, bins [b/n, (b+1)/n)."""
    confidence, hit = probs.max(axis=1), probs.argmax(axis=1) == y
    total = 0.0
    for b in range(n_bins):
        low, high = b / n_bins, (b + 1) / n_bins
        inside = (confidence >= low) & ((confidence < high) | (b == n_bins - 1))
        if inside.any():
            total += inside.mean() * abs(hit[inside].mean() - confidence[inside].mean())
    return total


@pytest.fixture(params=["mnist_logreg_run", "breast_cancer_run"])
def run(request) -> Path:
    return request.getfixturevalue(request.param)


def test_every_metric_recomputed_with_sklearn(run):
    test = json.loads((run / "metrics.json").read_text())["test"]
    classes = test["classes"]
    k = len(classes)
    y, pred, probs = saved_predictions(run, classes)
    labels = np.arange(k)
    assert len(y) == test["n"]
    assert probs.shape == (len(y), k) and np.allclose(probs.sum(axis=1), 1)
    # the saved predicted label is the model's decision: argmax, or p >= threshold for two
    expected_pred = (probs[:, 1] >= test["threshold"]) if k == 2 else probs.argmax(axis=1)
    assert (pred == expected_pred).mean() == 1.0

    assert test["accuracy"] == skm.accuracy_score(y, pred)
    assert test["balanced_accuracy"] == skm.balanced_accuracy_score(y, pred)
    assert test["confusion_matrix"] == skm.confusion_matrix(y, pred, labels=labels).tolist()
    for average in ("macro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(y, pred, average=average,
                                                         zero_division=0)
        assert test[average] == {"precision": p, "recall": r, "f1": f}
    p, r, f, support = skm.precision_recall_fscore_support(y, pred, labels=labels,
                                                           zero_division=0)
    for i, name in enumerate(classes):
        assert test["per_class"][name] == {"precision": p[i], "recall": r[i], "f1": f[i],
                                           "support": support[i]}
    assert test["log_loss"] == skm.log_loss(y, probs, labels=labels)
    assert test["loss"] == pytest.approx(test["log_loss"], rel=1e-6)  # from logits, no clipping
    if k == 2:
        assert test["brier"] == skm.brier_score_loss(y, probs[:, 1])
        assert test["roc_auc"] == skm.roc_auc_score(y, probs[:, 1])
        assert test["average_precision"] == skm.average_precision_score(y, probs[:, 1])
    else:
        onehot = label_binarize(y, classes=labels)
        assert test["brier"] == skm.brier_score_loss(y, probs, labels=labels)
        # Brier's own definition: squared distance to the one-hot label, averaged over rows
        assert test["brier"] == pytest.approx(np.mean(np.sum((onehot - probs) ** 2, axis=1)),
                                              rel=1e-12)
        assert test["roc_auc"] == skm.roc_auc_score(y, probs, multi_class="ovr",
                                                    average="macro")
        assert test["average_precision"] == np.mean(
            [skm.average_precision_score(onehot[:, c], probs[:, c]) for c in labels])
    assert test["ece_bins"] == 15
    assert test["ece"] == pytest.approx(ece_by_loop(probs, y, 15), rel=1e-9, abs=1e-12)
    assert 0 < test["ece"] < 0.1


def test_mnist_scores(mnist_logreg_run):
    """The numbers themselves: a sound MNIST softmax regression, well calibrated."""
    test = json.loads((mnist_logreg_run / "metrics.json").read_text())["test"]
    assert test["roc_auc"] > 0.99 and test["average_precision"] > 0.95
    assert test["ece"] < 0.03 and test["brier"] < 0.15
    assert abs(test["balanced_accuracy"] - test["accuracy"]) < 0.01


def test_mnist_weight_templates_look_like_their_digit(mnist_logreg_run, mnist_dir):
    """Each class's weight image correlates more with the mean training image of its own
    digit than with any other digit's mean."""
    weight = load_run(mnist_logreg_run).weights["linear.weight"]  # [10, 784]
    templates = class_templates(weight, (28, 28)).reshape(10, -1)
    train = load_idx_dataset("mnist", str(mnist_dir))
    images, labels = train.X.reshape(len(train.X), -1), train.y  # [60000, 784], [60000]
    means = np.stack([images[labels == d].mean(axis=0) for d in range(10)])
    correlation = np.corrcoef(templates, means)[:10, 10:]  # [template, digit mean]
    assert correlation.argmax(axis=1).tolist() == list(range(10))
    own = np.diag(correlation)
    others = np.where(np.eye(10, dtype=bool), -np.inf, correlation).max(axis=1)
    assert (own - others).min() > 0.02, np.round(own - others, 3)
