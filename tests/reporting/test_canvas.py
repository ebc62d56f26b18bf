"""Figures drawn once and cropped to their drawing: nothing is cut off, however long the labels
(class names of Fashion-MNIST, a CSV's level names, feature names), and the crop is the
drawing plus its margin."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lrnn.data.idx.registry import IDX_REGISTRY
from lrnn.reporting import figures, image_figures, probability_figures
from lrnn.reporting.canvas import DPI, MARGIN_IN, PAD_IN, figures as make, ink_box, png_bytes

PAD = round(PAD_IN * DPI)
FASHION = list(IDX_REGISTRY["fashion-mnist"].classes)  # "T-shirt/top", "Ankle boot", ...
LONG = ["a level name as long as a sentence in a survey", "short", "another rather long level"]


def _pixels(path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def assert_nothing_cut(path) -> None:
    """The drawing ends inside the picture: a white border of the pad's width all round,
    and something drawn inside it."""
    pixels = _pixels(path)
    ink = (pixels != 255).any(axis=2)
    edge = PAD - 1
    assert ink.any()
    assert not (ink[:edge].any() or ink[-edge:].any() or ink[:, :edge].any()
                or ink[:, -edge:].any()), path


@pytest.mark.parametrize("classes", [FASHION, LONG, [f"class {i}" for i in range(25)]])
def test_class_figures_keep_every_label(tmp_path, classes):
    k = len(classes)
    rng = np.random.default_rng(0)
    y = np.arange(300) % k
    probs = rng.dirichlet(np.ones(k), size=300)
    matrix = np.bincount(y * k + probs.argmax(1), minlength=k * k).reshape(k, k).tolist()
    figures.confusion_matrix(matrix, classes, "t", tmp_path / "cm.png")
    probability_figures.roc_and_precision_recall(y, probs, classes, "t", tmp_path / "roc.png")
    images = rng.integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
    image_figures.mistakes_grid(images, y, probs.argmax(1), probs, classes, "t",
                                tmp_path / "mistakes.png")
    image_figures.weight_templates(rng.normal(size=(k, 784)), (28, 28), classes, "t",
                                   tmp_path / "weights.png")
    for name in ("cm", "roc", "mistakes", "weights"):
        assert_nothing_cut(tmp_path / f"{name}.png")


def test_binary_figures_with_long_names_and_features(tmp_path):
    classes = LONG[:2]
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1], 50)
    score = rng.normal(loc=np.where(y == 1, 1.0, -1.0))
    p = 1 / (1 + np.exp(-score))
    probs = np.stack([1 - p, p], axis=1)
    probability_figures.sigmoid_of_score(y, score, classes, 0.5, "t", tmp_path / "sigmoid.png")
    probability_figures.calibration(y, probs, classes, "t", tmp_path / "calibration.png")
    names = [f"answer to question {i} of the household survey, second wave" for i in range(8)]
    table = {"by_class": {classes[1]: {n: float(w) for n, w in zip(names, rng.normal(size=8))}}}
    figures.coefficients(table, "t", tmp_path / "coefficients.png")
    for name in ("sigmoid", "calibration", "coefficients"):
        assert_nothing_cut(tmp_path / f"{name}.png")


def test_a_label_longer_than_the_room_is_still_drawn_whole():
    """Ink at the canvas's edge means the drawing may go on beyond it: then the figure is
    measured and drawn again with more room, and comes out wider than the first canvas."""
    plt = make()
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_title("a title far wider than the figure and the room around it " * 3)
    png = png_bytes(fig)
    with Image.open(io.BytesIO(png)) as image:
        assert image.width > (4 + 2 * MARGIN_IN) * DPI  # wider than the first canvas
        path = io.BytesIO(png)
    assert_nothing_cut(path)


def test_ink_box_is_the_drawing_plus_its_pad():
    pixels = np.full((40, 50, 4), 255, dtype=np.uint8)
    pixels[10:20, 15:30, :3] = 0
    assert ink_box(pixels, 3) == (7, 23, 12, 33)
    assert ink_box(pixels, 10) == (0, 30, 5, 40)
    assert ink_box(pixels, 11) is None  # closer to the edge than the pad: cannot crop
    assert ink_box(np.full((5, 5, 4), 255, dtype=np.uint8), 1) is None  # nothing drawn


def test_rendering_settings_are_the_figures_own(monkeypatch):
    """Text is drawn unhinted for lrnn's figures only: a notebook's own setting stays, and
    the PNG is the same whatever that setting is."""
    import matplotlib

    def png_with(hinting: str) -> bytes:
        monkeypatch.setitem(matplotlib.rcParams, "text.hinting", hinting)
        fig, ax = make().subplots(figsize=(3, 2))
        ax.set_title("hinting")
        png = png_bytes(fig)
        assert matplotlib.rcParams["text.hinting"] == hinting
        return png

    assert png_with("force_autohint") == png_with("default")
