"""Digits prepared as MNIST's were (preprocessing/digits.py): the shape of the result, and a
model reading re-drawn MNIST digits (large, small, off-centre, dark on light) as well as the
originals; `lrnn predict --prepare-digits` on image files of any size."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from PIL import Image

from lrnn.data.idx.format import read_images, read_labels
from lrnn.predict import Predictor
from lrnn.preprocessing.digits import prepare_digit, prepare_digits
from tests.conftest import lrnn_cli

DIGITS = 500


@pytest.fixture(scope="module")
def mnist_test(mnist_dir):
    images = read_images(mnist_dir / "t10k-images-idx3-ubyte.gz")[:DIGITS]
    labels = read_labels(mnist_dir / "t10k-labels-idx1-ubyte.gz", 10)[:DIGITS]
    return images, labels


def redraw(image: np.ndarray, size: int, top: int, left: int, canvas: int = 280) -> np.ndarray:
    """A 28x28 digit drawn `size` pixels wide at (top, left) on a black canvas."""
    big = np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR))
    out = np.zeros((canvas, canvas), dtype=np.uint8)
    out[top:top + size, left:left + size] = big
    return out


def test_result_is_placed_as_mnist_places_digits():
    stroke = np.zeros((300, 200), dtype=np.uint8)
    stroke[30:270, 20:60] = 255  # a tall bar near the left edge
    out = prepare_digit(stroke)
    assert out.shape == (28, 28) and out.dtype == np.uint8
    rows, cols = np.flatnonzero(out.any(axis=1)), np.flatnonzero(out.any(axis=0))
    assert rows[-1] - rows[0] + 1 == 20  # the larger side fits 20 pixels
    assert 3 <= cols[-1] - cols[0] + 1 <= 5  # the aspect kept: 240 x 40 -> 20 x 3.3
    mass = out.astype(float)
    centre = [(mass.sum(axis=1 - a) * np.arange(28)).sum() / mass.sum() for a in (0, 1)]
    np.testing.assert_allclose(centre, [14, 14], atol=0.5)
    assert not prepare_digit(np.zeros((50, 50))).any()  # blank stays blank
    np.testing.assert_array_equal(prepare_digit(255 - stroke), out)  # dark on light: inverted
    np.testing.assert_array_equal(prepare_digit(stroke / 255.0), out)  # any value range


def test_prepared_digits_read_as_well_as_the_originals(mnist_logreg_run, mnist_test):
    images, labels = mnist_test
    predictor = Predictor.load(mnist_logreg_run)
    rng = np.random.default_rng(0)

    def accuracy(X):
        return float(np.mean(predictor.predict_indices(X) == labels))

    original = accuracy(images)
    variants = {
        "as they are": prepare_digits(images),
        "10x, centred": prepare_digits([redraw(x, 280, 0, 0) for x in images]),
        "4x, off-centre": prepare_digits([redraw(x, 112, *rng.integers(0, 168, 2))
                                          for x in images]),
        "7x, dark on light": prepare_digits([255 - redraw(x, 196, *rng.integers(0, 84, 2))
                                             for x in images]),
    }
    for name, X in variants.items():
        assert accuracy(X) >= original - 0.015, (name, accuracy(X), original)
    # and without preparation, an off-centre small digit is mostly misread
    shrunk = np.stack([np.asarray(Image.fromarray(redraw(x, 112, 0, 0)).resize((28, 28)))
                       for x in images])
    assert accuracy(shrunk) < original - 0.3


def test_predict_prepare_digits_on_image_files(mnist_logreg_run, mnist_test, tmp_path):
    images, labels = mnist_test
    paths = []
    for i, image in enumerate(images[:20]):
        paths.append(tmp_path / f"photo{i}.png")  # dark ink on light paper, 150x150
        Image.fromarray(255 - redraw(image, 100, 25, 40, canvas=150)).save(paths[-1])
    plain = lrnn_cli("predict", str(mnist_logreg_run), *map(str, paths), "-o",
                     str(tmp_path / "plain.csv"))
    assert plain.returncode == 2 and "expected a 28x28 image, found 150x150" in plain.stderr
    result = lrnn_cli("predict", str(mnist_logreg_run), *map(str, paths), "--prepare-digits",
                      "-o", str(tmp_path / "prepared.csv"))
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "prepared.csv", newline="") as f:
        predicted = [row["prediction"] for row in csv.DictReader(f)]
    expected = Predictor.load(mnist_logreg_run).predict(
        prepare_digits([np.asarray(Image.open(p).convert("L")) for p in paths]))
    assert predicted == list(expected)
    assert np.mean([p == str(y) for p, y in zip(predicted, labels[:20])]) >= 0.85


def test_prepare_digits_refused_for_a_table_model(breast_cancer_run, tmp_path):
    result = lrnn_cli("predict", str(breast_cancer_run), str(tmp_path / "x.csv"),
                      "--prepare-digits", "-o", str(tmp_path / "p.csv"))
    assert result.returncode == 2
    assert "--prepare-digits:" in result.stderr and "is a table model" in result.stderr
