"""Must show 1: for MNIST logreg, MNIST MLP with each activation, breast_cancer with
--threshold 0.3 and a CSV run, onnxruntime's labels equal lrnn predict's on every test row and
the probabilities differ by at most 1e-5. The exported files are run here on inputs built
without lrnn (the IDX bytes, scikit-learn's arrays, the CSV read by the csv module)."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

from lrnn.export import export_run
from lrnn.predict import Predictor
from tests.conftest import lrnn_cli
from tests.export.conftest import ACTIVATIONS, largest_difference, mnist_test_images, onnx_run

TOLERANCE = 1e-5


def _printed_difference(stdout: str) -> float:
    return float(re.search(r"largest probability difference ([0-9.e+-]+)", stdout).group(1))


def test_mnist_logreg(mnist_logreg_run, mnist_dir, tmp_path):
    out = tmp_path / "mnist-logreg.onnx"
    result = lrnn_cli("export", str(mnist_logreg_run), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "10,000 rows of mnist test data" in result.stdout
    assert _printed_difference(result.stdout) <= TOLERANCE
    images = mnist_test_images(mnist_dir)
    predictor = Predictor.load(mnist_logreg_run)
    gap = largest_difference(out, {"images": images}, predictor.predict(images),
                             predictor.predict_proba(images))
    assert gap <= TOLERANCE


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_mnist_mlp_each_activation(activation, activation_runs, mnist_mlp_run, mnist_dir,
                                   tmp_path):
    run = mnist_mlp_run if activation == "relu" else activation_runs[activation]
    assert json.loads((run / "model.json").read_text())["architecture"]["activation"] == activation
    exported = export_run(run, tmp_path / f"{activation}.onnx")
    assert exported.rows_checked == 10_064 and exported.max_difference <= TOLERANCE
    images = mnist_test_images(mnist_dir)
    predictor = Predictor.load(run)
    gap = largest_difference(exported.path, {"images": images}, predictor.predict(images),
                             predictor.predict_proba(images))
    assert gap <= TOLERANCE


def test_breast_cancer_threshold(breast_cancer_threshold_run, tmp_path):
    """Every row of the dataset (the test rows among them), against `lrnn predict` itself."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    names = [str(n) for n in bunch.feature_names]
    data = tmp_path / "rows.csv"
    with open(data, "w", newline="") as f:
        csv.writer(f).writerows([names, *np.asarray(bunch.data, np.float32).tolist()])
    predicted = tmp_path / "predicted.csv"
    assert lrnn_cli("predict", str(breast_cancer_threshold_run), str(data), "-o",
                    str(predicted)).returncode == 0
    want = list(csv.DictReader(open(predicted)))
    out = tmp_path / "bc.onnx"
    assert lrnn_cli("export", str(breast_cancer_threshold_run), "-o", str(out)).returncode == 0
    feeds = {n: np.asarray(bunch.data[:, [j]], np.float32) for j, n in enumerate(names)}
    labels, probs = onnx_run(out, feeds)
    assert labels.tolist() == [row["prediction"] for row in want]
    positive = probs[:, 1]
    # the threshold is applied: rows with 0.3 <= p < 0.5 are positive
    between = (positive >= 0.3) & (positive < 0.5)
    assert between.any() and (labels[between] == "benign").all()
    predictor = Predictor.load(breast_cancer_threshold_run)
    rows = predictor.predict_proba(np.asarray(bunch.data, np.float32))
    assert np.abs(probs - rows).max() <= TOLERANCE


def test_csv_run(csv_run, tmp_path):
    """Numbers, categories, gaps, (other) and a value never seen in training, from the CSV read
    with the csv module (cells as text, "" for empty), as the README's example reads it."""
    run, test_file = csv_run
    state = json.loads((run / "model.json").read_text())["preprocessing"]
    columns = {c["name"]: c for c in state["columns"]}
    assert columns["city"]["other"] and columns["color"]["missing"] and columns["age"]["indicator"]
    rows = list(csv.DictReader(open(test_file, newline="")))
    assert any(r["color"] == "purple" for r in rows) and "purple" not in columns["color"]["levels"]
    assert any(r["income"] == "" for r in rows) and not columns["income"]["indicator"]
    out = tmp_path / "people.onnx"
    result = lrnn_cli("export", str(run), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "200 rows of" in result.stdout and _printed_difference(result.stdout) <= TOLERANCE
    predicted = tmp_path / "predicted.csv"
    assert lrnn_cli("predict", str(run), str(test_file), "-o", str(predicted)).returncode == 0
    want = list(csv.DictReader(open(predicted)))
    feeds = {}
    for name, col in columns.items():
        cells = [r[name] for r in rows]
        if col["type"] == "categorical":
            feeds[name] = np.array(cells, dtype=object).reshape(-1, 1)
        elif name == "day":
            feeds[name] = np.array([(np.datetime64(c) - np.datetime64("1970-01-01")) /
                                    np.timedelta64(1, "D") for c in cells], np.float32)[:, None]
        else:
            feeds[name] = np.array([float(c) if c else np.nan for c in cells], np.float32)[:, None]
    labels, probs = onnx_run(out, feeds)
    assert labels.dtype == object and labels.tolist() == [r["prediction"] for r in want]
    from lrnn.data.tables.reader import read_table

    exact = Predictor.load(run).predict_proba(read_table(test_file))
    assert np.abs(probs - exact).max() <= TOLERANCE
    classes = json.loads((run / "model.json").read_text())["classes"]
    printed = np.array([[float(r[f"proba_{c}"]) for c in classes] for r in want])
    assert np.abs(probs - printed).max() <= TOLERANCE  # and against the CSV lrnn predict wrote


def test_metadata_and_label_types(mnist_logreg_run, csv_run, tmp_path):
    import hashlib

    import onnx

    from lrnn import __version__

    for run, label_type in ((mnist_logreg_run, onnx.TensorProto.INT64),
                            (csv_run[0], onnx.TensorProto.STRING)):
        out = export_run(run, tmp_path / f"{run.name}.onnx").path
        model = onnx.load(out)
        props = {p.key: p.value for p in model.metadata_props}
        info = json.loads((run / "model.json").read_text())
        assert json.loads(props["classes"]) == info["classes"]
        assert json.loads(props["input_schema"]) == info["input_schema"]
        assert props["lrnn_version"] == __version__
        assert props["weights_sha256"] == hashlib.sha256(
            (run / "model.safetensors").read_bytes()).hexdigest() == info["weights_sha256"]
        assert props["model_json_sha256"] == hashlib.sha256(
            (run / "model.json").read_bytes()).hexdigest()
        label = {o.name: o for o in model.graph.output}["label"]
        assert label.type.tensor_type.elem_type == label_type
    inputs = {i.name: i.type.tensor_type for i in model.graph.input}
    assert list(inputs) == [c["name"] for c in info["preprocessing"]["columns"]]
    assert inputs["color"].elem_type == onnx.TensorProto.STRING
    assert inputs["age"].elem_type == onnx.TensorProto.FLOAT
    assert [d.dim_param or d.dim_value for d in inputs["age"].shape.dim] == ["N", 1]
