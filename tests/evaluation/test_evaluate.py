"""evaluate(): every number of metrics.json's "test" block equal to scikit-learn's on the same
predictions, over cases chosen for their edges; the run's path imports no scikit-learn."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from lrnn.evaluation import evaluate, probability_metrics
from tests.conftest import lrnn_cli
from tests.evaluation.cases import (assert_same, cases, probabilities, sklearn_metrics,
                                    sklearn_probability_metrics)

CASES = cases()


@pytest.mark.parametrize("name", list(CASES))
def test_every_metric_equals_sklearn(name):
    logits, y, k, threshold = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing reaches the user's terminal
        ours = evaluate(logits, y, tuple(str(c) for c in range(k)), threshold)
    theirs = sklearn_metrics(logits, y, k, threshold)
    theirs["ece"], theirs["ece_bins"] = ours["ece"], 15  # no scikit-learn function: see below
    assert_same(ours, theirs)


def test_auc_is_null_exactly_when_a_class_has_no_row():
    for name, (logits, y, k, threshold) in CASES.items():
        m = evaluate(logits, y, tuple(str(c) for c in range(k)), threshold)
        all_present = len(np.unique(y)) == k
        assert (m["roc_auc"] is not None) == all_present, name
        assert (m["average_precision"] is not None) == all_present, name


def ece_by_loop(probs: np.ndarray, y: np.ndarray, n_bins: int = 15) -> float:
    confidence, hit = probs.max(axis=1), probs.argmax(axis=1) == y
    total = 0.0
    for b in range(n_bins):
        inside = (confidence >= b / n_bins) & ((confidence < (b + 1) / n_bins)
                                               | (b == n_bins - 1))
        if inside.any():
            total += inside.mean() * abs(hit[inside].mean() - confidence[inside].mean())
    return total


@pytest.mark.parametrize("name", ["five classes", "heavy ties: integer logits",
                                  "MNIST size, 10,000 x 10", "binary"])
def test_ece_equals_the_bin_by_bin_definition(name):
    logits, y, k, threshold = CASES[name]
    m = evaluate(logits, y, tuple(str(c) for c in range(k)), threshold)
    assert m["ece"] == pytest.approx(ece_by_loop(probabilities(logits), y), rel=1e-9, abs=1e-12)
    assert m["ece"] > 0


def _saved_predictions(run: Path):
    """(true [N], probabilities [N, K], classes) from the run's predictions.csv."""
    with open(run / "predictions.csv", newline="") as f:
        rows = list(csv.reader(f))
    classes = [c.removeprefix("proba_") for c in rows[0][2:]]
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[r[0]] for r in rows[1:]])
    return y, np.array([[float(p) for p in r[2:]] for r in rows[1:]]), classes


@pytest.fixture(scope="module")
def digits_gelu_run(tmp_path_factory) -> Path:
    """A quick real run whose forward pass goes through the numpy GELU."""
    out = tmp_path_factory.mktemp("runs") / "digits-mlp-gelu"
    result = lrnn_cli("train", "--dataset", "digits", "--model", "mlp", "--activation", "gelu",
                      "--hidden-layer-sizes", "32", "--epochs", "30", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_a_real_run_scores_as_sklearn_on_its_saved_predictions(digits_gelu_run):
    from sklearn import metrics

    test = json.loads((digits_gelu_run / "metrics.json").read_text())["test"]
    y, probs, classes = _saved_predictions(digits_gelu_run)
    assert classes == test["classes"] and len(classes) == 10 and len(y) == test["n"]
    predicted = probs.argmax(axis=1)
    theirs = sklearn_probability_metrics(probs, y)
    ours = {key: test[key] for key in theirs}
    assert_same(ours, theirs)
    assert_same(probability_metrics(probs, y), {**theirs, "ece": test["ece"], "ece_bins": 15})
    assert test["accuracy"] == pytest.approx(metrics.accuracy_score(y, predicted), rel=1e-12)
    assert test["balanced_accuracy"] == pytest.approx(
        metrics.balanced_accuracy_score(y, predicted), rel=1e-12)
    assert test["confusion_matrix"] == metrics.confusion_matrix(y, predicted).tolist()
    p, r, f, _ = metrics.precision_recall_fscore_support(y, predicted, average="weighted",
                                                         zero_division=0)
    assert test["weighted"] == pytest.approx({"precision": p, "recall": r, "f1": f}, rel=1e-12)
    assert 0.5 < test["accuracy"] < 1 and test["roc_auc"] > 0.9


def test_scoring_and_the_curves_figure_import_no_sklearn_or_scipy(tmp_path):
    """What `lrnn train` runs after training: metrics, then the ROC / PR figure."""
    code = f"""
import sys
from pathlib import Path
import numpy as np
from lrnn.evaluation import evaluate
from lrnn.reporting import probability_figures as plot_curves
rng = np.random.default_rng(0)
logits = rng.normal(size=(300, 4)).astype(np.float32)
y = rng.integers(0, 4, 300)
evaluate(logits, y, ("a", "b", "c", "d"), 0.5)
probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
plot_curves.roc_and_precision_recall(y, probs, ["a", "b", "c", "d"], "t",
                                     Path({str(tmp_path / 'roc.png')!r}))
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sklearn", "scipy"))
print(heavy)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "roc.png").stat().st_size > 10_000
