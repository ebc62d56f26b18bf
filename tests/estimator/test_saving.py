"""Saving estimators as run directories and loading them back (lrnn.estimator.saving), and
lrnn.load for both kinds of run."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris

import lrnn
from lrnn.predict import Predictor
from tests.conftest import lrnn_cli


@pytest.fixture(scope="module")
def iris_frame():
    """Iris as a DataFrame with text labels: feature names and typed classes to keep."""
    data = load_iris(as_frame=True)
    return data.data, np.asarray(data.target_names)[data.target]


def test_logistic_regression_round_trip(iris_frame, tmp_path):
    X, y = iris_frame
    model = lrnn.LogisticRegression(C=0.5, class_weight={"setosa": 2.0, "versicolor": 1.0,
                                                         "virginica": 1.0}).fit(X, y)
    model.save(tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["model.json",
                                                                     "model.safetensors"]
    loaded = lrnn.load(tmp_path / "run")
    assert type(loaded) is lrnn.LogisticRegression
    assert loaded.get_params() == model.get_params()
    assert loaded.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert loaded.feature_names_in_.tolist() == X.columns.tolist()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert loaded.n_iter_.tolist() == model.n_iter_.tolist()
    assert clone(loaded).fit(X, y).score(X, y) == model.score(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_round_trip_goes_on_training(tmp_path):
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    model = lrnn.MLPClassifier(hidden_layer_sizes=(16, 8), random_state=0).fit(X, y)
    model.save(tmp_path / "run")
    loaded = lrnn.load(tmp_path / "run")
    assert type(loaded) is lrnn.MLPClassifier and loaded.hidden_layer_sizes == (16, 8)
    assert loaded.classes_.dtype == model.classes_.dtype and loaded.n_iter_ == model.n_iter_
    assert loaded.loss_curve_ == model.loss_curve_
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    loaded.partial_fit(X, y)  # a new optimizer, from the saved weights
    assert loaded.n_iter_ == model.n_iter_ + 1
    assert loaded.score(X, y) >= model.score(X, y) - 0.02


def test_cli_predicts_an_estimator_run_as_the_estimator_does(tmp_path):
    X, y = load_iris(return_X_y=True)
    model = lrnn.LogisticRegression().fit(X, y)
    model.save(tmp_path / "run")
    table = tmp_path / "rows.csv"
    with table.open("w", newline="") as f:
        csv.writer(f).writerows([[f"x{j}" for j in range(4)], *X.tolist()])
    result = lrnn_cli("predict", str(tmp_path / "run"), str(table), "-o",
                      str(tmp_path / "out.csv"))
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["prediction"]) for r in rows] == model.predict(X).tolist()
    proba = np.array([[float(r[f"proba_{k}"]) for k in range(3)] for r in rows])
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_evaluate_and_report_on_an_estimator_run(tmp_path):
    """An estimator's run holds model.json and the weights only: evaluate scores it on a
    labelled file (naming its target column), and so does report, which without a file shows
    the model and its parameters; a bare evaluate says what it needs."""
    X, y = load_iris(return_X_y=True)
    model = lrnn.LogisticRegression(C=0.05).fit(X, y)  # a weak model: not every row right
    run = tmp_path / "run"
    model.save(run)
    table = tmp_path / "labelled.csv"
    with table.open("w", newline="") as f:
        csv.writer(f).writerows([[f"x{j}" for j in range(4)] + ["species"],
                                 *[row + [label] for row, label in zip(X.tolist(), y.tolist())]])
    result = lrnn_cli("evaluate", str(run), "--data", str(table), "--target", "species", "-o",
                      str(tmp_path / "m.json"))
    assert result.returncode == 0, result.stderr
    scored = json.loads((tmp_path / "m.json").read_text())["test"]
    assert scored["accuracy"] == model.score(X, y) < 1 and scored["n"] == 150
    assert f"accuracy {model.score(X, y):.2%}" in result.stdout
    for args, message in (
            (["--data", str(table)], "names no target column; pass --target COLUMN (the file "
                                     "needs the columns x0, x1, x2, x3)"),
            ([], "saved by LogisticRegression.save(), it keeps the model only"),
            (["--data", str(table), "--target", "kind"], "no target column 'kind'")):
        refused = lrnn_cli("evaluate", str(run), *args)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in run.iterdir()) == ["model.json", "model.safetensors"]
    report = lrnn_cli("report", str(run))  # the model, its settings; no test metrics to show
    assert report.returncode == 0, report.stderr
    page = (run / "report.html").read_text()
    assert "LogisticRegression on estimator" in page and "No test metrics" in page
    assert "<td>C</td>" in page and "0.05" in page
    report = lrnn_cli("report", str(run), "--data", str(table), "--target", "species")
    assert report.returncode == 0, report.stderr
    page = (run / "report.html").read_text()
    assert "test metrics: " + str(table) + " (150 rows)" in page
    assert f"{model.score(X, y):.4f}" in page and "No test metrics" not in page


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_predicting_a_loaded_estimator_needs_no_torch(tmp_path):
    X, y = load_iris(return_X_y=True)
    lrnn.MLPClassifier(hidden_layer_sizes=(4,), max_iter=300).fit(X, y).save(tmp_path / "run")
    code = (f"import sys, lrnn; m = lrnn.load({str(tmp_path / 'run')!r}); "
            f"m.predict([[5.1, 3.5, 1.4, 0.2]]); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_load_gives_a_predictor_for_a_cli_run(mnist_logreg_run):
    assert isinstance(lrnn.load(mnist_logreg_run), Predictor)


def test_save_refuses_a_used_folder_and_unsavable_settings(iris_frame, tmp_path):
    X, y = iris_frame
    model = lrnn.LogisticRegression().fit(X, y)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not an empty folder"):
        model.save(tmp_path / "used")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]
    model.set_params(random_state=np.random.RandomState(0))
    with pytest.raises(TypeError, match="cannot save random_state"):
        model.save(tmp_path / "new")
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["used"]  # no staging folder left


def test_model_json_describes_the_estimator(iris_frame, tmp_path):
    X, y = iris_frame
    lrnn.LogisticRegression(C=np.inf, penalty=None).fit(X, y).save(tmp_path / "run")
    info = json.loads((tmp_path / "run" / "model.json").read_text())
    assert info["estimator"]["class"] == "LogisticRegression"
    assert info["estimator"]["params"]["C"] == {"float": "inf"}
    assert info["architecture"] == {"model": "logreg", "n_features": 4, "n_classes": 3,
                                    "dtype": "float64"}
    assert info["preprocessing"] == {"kind": "matrix", "features": X.columns.tolist()}
