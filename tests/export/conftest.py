"""Runs trained once for the export tests (small: one epoch or a few iterations; agreement
does not need a good model), and the independent check of an exported file: onnxruntime on
inputs the test builds itself, against lrnn's Predictor (the numpy path of `lrnn predict`)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import lrnn_cli

ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid", "leaky_relu", "silu", "elu", "identity")
CITIES = 80  # more than MAX_LEVELS (50): the column is capped and has (other)


def onnx_run(path: Path, feeds: dict) -> tuple[np.ndarray, np.ndarray]:
    """(labels, probabilities) from onnxruntime alone."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(["label", "probabilities"], feeds)
    return labels, probabilities


def largest_difference(path: Path, feeds: dict, want_labels, want_probs) -> float:
    """Asserts identical labels on every row; returns the largest probability difference."""
    labels, probs = onnx_run(path, feeds)
    assert labels.shape == (len(want_probs),) and probs.shape == want_probs.shape
    assert probs.dtype == np.float32
    want = np.asarray(want_labels).astype(str)
    mismatched = np.flatnonzero(np.asarray(labels).astype(str) != want)
    assert mismatched.size == 0, f"labels differ on {mismatched.size} rows, first {mismatched[:5]}"
    return float(np.abs(probs.astype(np.float64) - want_probs).max())


def mnist_test_images(mnist_dir: Path) -> np.ndarray:
    import gzip

    with gzip.open(mnist_dir / "t10k-images-idx3-ubyte.gz") as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)


def _train(out: Path, *args: str) -> Path:
    result = lrnn_cli("train", *args, "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def mnist_mlp_run(tmp_path_factory, mnist_dir) -> Path:
    """The default MNIST MLP (784-256-10, relu), one epoch."""
    return _train(tmp_path_factory.mktemp("runs") / "mnist-mlp", "--dataset", "mnist",
                  "--model", "mlp", "--epochs", "1")


@pytest.fixture(scope="session")
def activation_runs(tmp_path_factory, mnist_dir) -> dict[str, Path]:
    """An MNIST MLP per activation (narrow and short, trained in this process: torch is
    imported once for the seven)."""
    import lrnn

    folder = tmp_path_factory.mktemp("activations")
    runs = {}
    for activation in ACTIVATIONS:
        if activation == "relu":
            continue  # mnist_mlp_run
        runs[activation] = lrnn.train(dataset="mnist", model="mlp", activation=activation,
                                      hidden_layer_sizes=(32,), iterations=40,
                                      out=str(folder / activation)).run_dir
    return runs


@pytest.fixture(scope="session")
def breast_cancer_threshold_run(tmp_path_factory) -> Path:
    return _train(tmp_path_factory.mktemp("runs") / "breast-cancer", "--dataset",
                  "breast_cancer", "--model", "logreg", "--threshold", "0.3")


def _people(n: int, rng, unseen: bool) -> list[dict]:
    rows = []
    for i in range(n):
        age, income = rng.normal(40, 12), rng.lognormal(10, 0.5)
        color = str(rng.choice(["red", "green", "blue"]))
        city, grade, member = int(rng.integers(0, CITIES)), int(rng.integers(1, 4)), bool(i % 3)
        day = datetime.date(2020, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 900)))
        score = age / 10 + 2 * (color == "red") + grade - member + city % 3 + rng.normal()
        if unseen and i % 7 == 0:
            color = "purple"  # never seen in training; color has no (other)
        rows.append({"age": f"{age:.1f}" if i % 9 else "", "income": f"{income:.2f}",
                     "constant": "3.5", "color": color if i % 11 else "",
                     "city": f"c{city:02d}", "grade": grade, "member": str(member).lower(),
                     "day": day.isoformat(),
                     "y": "high" if score > 7.5 else "mid" if score > 5.5 else "low"})
        if unseen and i % 13 == 5:
            rows[-1]["income"] = ""  # a gap where training had none
    return rows


def write_people(path: Path, n: int, seed: int, unseen: bool = False) -> Path:
    rows = _people(n, np.random.default_rng(seed), unseen)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def csv_run(tmp_path_factory) -> tuple[Path, Path]:
    """A table run (numbers with and without gaps, a constant, a date, text categories with
    gaps, integer codes, booleans, a capped column with (other)) and its test file, which holds
    a category never seen in training and a gap in a column that had none."""
    folder = tmp_path_factory.mktemp("people")
    train = write_people(folder / "people.csv", 600, seed=1)
    test = write_people(folder / "new_people.csv", 200, seed=2, unseen=True)
    run = _train(folder / "run", "--data", str(train), "--target", "y", "--test-data",
                 str(test), "--model", "mlp", "--hidden-layer-sizes", "16", "--activation",
                 "tanh")
    return run, test
