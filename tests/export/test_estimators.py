"""estimator.to_onnx and `lrnn export` of a run saved by an estimator (float64 weights, one
input `X`): labels as predict gives them (int64 for integer classes, strings for text) and
probabilities within 1e-5 of predict_proba, on every row the estimator was fitted on."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris

import lrnn
from tests.conftest import lrnn_cli
from tests.export.conftest import onnx_run

ACTIVATIONS = ("identity", "logistic", "tanh", "relu", "gelu", "sigmoid", "leaky_relu", "silu",
               "elu")


def _check(path, estimator, X) -> None:
    labels, probs = onnx_run(path, {"X": X.astype(np.float32)})
    want = estimator.predict(X)
    assert labels.dtype == (np.int64 if want.dtype.kind in "iu" else object)
    assert labels.tolist() == want.tolist()
    assert np.abs(probs - estimator.predict_proba(X)).max() <= 1e-5


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mlp_each_activation(activation, tmp_path):
    X, y = load_digits(return_X_y=True)
    mlp = lrnn.MLPClassifier(hidden_layer_sizes=(16,), activation=activation, max_iter=5,
                             random_state=0).fit(X, y)
    result = mlp.to_onnx(tmp_path / "digits.onnx", X=X)
    assert result.rows_checked == len(X) + 64 and result.max_difference <= 1e-5
    _check(result.path, mlp, X)


def test_text_classes_and_binary(tmp_path):
    iris = load_iris()
    X, y = iris.data, iris.target_names[iris.target]
    multi = lrnn.LogisticRegression().fit(X, y)
    _check(multi.to_onnx(tmp_path / "iris.onnx").path, multi, X)
    Xb, yb = load_breast_cancer(return_X_y=True)
    binary = lrnn.LogisticRegression(C=0.1, max_iter=300).fit(Xb / Xb.max(axis=0), yb)
    _check(binary.to_onnx(tmp_path / "bc.onnx").path, binary, Xb / Xb.max(axis=0))


def test_saved_estimator_run_through_the_cli(tmp_path):
    X, y = load_iris(return_X_y=True)
    model = lrnn.LogisticRegression().fit(X, y)
    model.save(tmp_path / "run")
    result = lrnn_cli("export", str(tmp_path / "run"), "-o", str(tmp_path / "iris.onnx"))
    assert result.returncode == 0, result.stderr
    assert "keeps no test rows" in result.stderr and "64 generated rows" in result.stdout
    _check(tmp_path / "iris.onnx", model, X)


def test_unfitted_and_existing(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        lrnn.LogisticRegression().to_onnx(tmp_path / "m.onnx")
    X, y = load_iris(return_X_y=True)
    model = lrnn.LogisticRegression().fit(X, y)
    (tmp_path / "m.onnx").write_bytes(b"old")
    with pytest.raises(lrnn.errors.InputError, match="already exists"):
        model.to_onnx(tmp_path / "m.onnx")
    assert model.to_onnx(tmp_path / "m.onnx", force=True).rows_checked == 64
