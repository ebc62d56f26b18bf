"""`lrnn predict` on a saved MNIST run: IDX, .npy and PNG inputs, and its output checks."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from PIL import Image

from lrnn.data.idx.format import read_images, read_labels
from tests.conftest import lrnn_cli, snapshot


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_predict_reproduces_test_accuracy(mnist_logreg_run, mnist_dir, tmp_path):
    out = tmp_path / "pred.csv"
    result = lrnn_cli("predict", str(mnist_logreg_run), str(mnist_dir / "t10k-images-idx3-ubyte.gz"),
                      "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = read_csv(out)
    labels = read_labels(mnist_dir / "t10k-labels-idx1-ubyte.gz", 10)
    accuracy = np.mean([row["prediction"] == str(label) for row, label in zip(rows, labels)])
    metrics = json.loads((mnist_logreg_run / "metrics.json").read_text())
    assert len(rows) == 10_000
    assert accuracy == metrics["test"]["accuracy"]
    assert list(rows[0]) == ["prediction"] + [f"proba_{d}" for d in range(10)]
    probs = np.array([[float(row[f"proba_{d}"]) for d in range(10)] for row in rows[:100]])
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-4)


def test_png_and_npy_inputs_agree(mnist_logreg_run, mnist_dir, tmp_path):
    images = read_images(mnist_dir / "t10k-images-idx3-ubyte.gz")[:5]
    paths = []
    for i, image in enumerate(images):
        paths.append(tmp_path / f"digit{i}.png")
        Image.fromarray(image).save(paths[-1])
    np.save(tmp_path / "digits.npy", images.astype(np.float32) / 255)
    png = lrnn_cli("predict", str(mnist_logreg_run), *map(str, paths), "-o", str(tmp_path / "a.csv"))
    npy = lrnn_cli("predict", str(mnist_logreg_run), str(tmp_path / "digits.npy"),
                   "-o", str(tmp_path / "b.csv"))
    assert png.returncode == 0 and npy.returncode == 0, png.stderr + npy.stderr
    a, b = read_csv(tmp_path / "a.csv"), read_csv(tmp_path / "b.csv")
    assert [row["file"] for row in a] == [str(p) for p in paths]
    assert [row["prediction"] for row in a] == [row["prediction"] for row in b]
    assert [row["prediction"] for row in a] == ["7", "2", "1", "0", "4"]  # the known first five


@pytest.mark.parametrize("case", ["wrong size", "exists", "same as input", "not an input",
                                  "pickled npy"])
def test_predict_bad_inputs(mnist_logreg_run, tmp_path, case):
    out = tmp_path / "out.csv"
    if case == "wrong size":
        Image.new("L", (20, 20)).save(tmp_path / "small.png")
        args, message = [str(tmp_path / "small.png")], "expected a 28x28 image, found 20x20"
    elif case == "exists":
        out.write_text("keep me")
        np.save(tmp_path / "x.npy", np.zeros((1, 28, 28), np.uint8))
        args, message = [str(tmp_path / "x.npy")], "already exists; pass --force"
    elif case == "same as input":
        np.save(tmp_path / "x.npy", np.zeros((1, 28, 28), np.uint8))
        args, out, message = [str(tmp_path / "x.npy")], tmp_path / "x.npy", "is also an input"
    elif case == "not an input":
        (tmp_path / "notes.txt").write_text("hello")
        args, message = [str(tmp_path / "notes.txt")], "expected an IDX images file"
    else:
        np.save(tmp_path / "x.npy", np.array([{"a": 1}], dtype=object))
        args, message = [str(tmp_path / "x.npy")], "found dtype object (object arrays are pickles"
    before = snapshot(tmp_path)
    result = lrnn_cli("predict", str(mnist_logreg_run), *args, "-o", str(out))
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


HEAVY = ("matplotlib", "pandas", "sklearn")
# what `lrnn predict` no longer imports at all, each a few ms of its start (cli/, artifacts/)
PREDICT_SPARES = ("tempfile", "shutil", "hashlib", "lrnn.config.settings")


@pytest.mark.parametrize("command", ["help", "predict"])
def test_help_and_predict_start_without_heavy_imports(mnist_logreg_run, mnist_dir, tmp_path,
                                                      command):
    """`lrnn --help` and `lrnn predict` on a saved MNIST run never import the plotting, table
    or scikit-learn stacks: they only cost start-up time there."""
    import subprocess
    import sys

    argv = ["--help"] if command == "help" else [
        "predict", str(mnist_logreg_run), str(mnist_dir / "t10k-images-idx3-ubyte.gz"),
        "-o", str(tmp_path / "p.csv")]
    code = ("import sys\nfrom lrnn.cli import main\n"
            f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', [m for m in {HEAVY!r} if m in sys.modules])\n"
            f"print('SPARED', [m for m in {PREDICT_SPARES!r} if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr
    if command == "predict":
        assert (tmp_path / "p.csv").stat().st_size > 0
        assert "SPARED []" in result.stdout, result.stdout
