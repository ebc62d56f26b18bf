"""The figures are written as real PNG images of a sensible size."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image

from lrnn.reporting import figures as plots, image_figures as plot_images, probability_figures as plot_curves
from lrnn.reporting.image_figures import class_templates, most_confident_mistakes


def test_learning_curves_and_confusion_matrix(tmp_path):
    epochs = [{"epoch": e, "step": 10 * e, "train_loss": 1 / e, "train_accuracy": 1 - 1 / (e + 1),
               "val_loss": math.nan if e == 1 else 1.2 / e, "val_accuracy": 0.5}
              for e in range(1, 6)]
    evals = [{"step": 25, "test_accuracy": 0.6}, {"step": 50, "test_accuracy": 0.7}]
    plots.learning_curves(epochs, evals, 3, "a title", tmp_path / "curves.png")
    plots.confusion_matrix([[5, 1], [2, 7]], ["no", "yes"], "cm", tmp_path / "cm.png")
    for name in ("curves.png", "cm.png"):
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG" and image.width > 300 and image.height > 200
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.png", "curves.png"]


def test_most_confident_mistakes_come_first():
    y = np.array([0, 1, 2, 0, 1])
    predicted = np.array([1, 1, 0, 2, 0])  # rows 0, 2, 3, 4 wrong
    probs = np.full((5, 3), 0.1)
    probs[np.arange(5), predicted] = [0.6, 0.99, 0.95, 0.7, 0.8]
    assert most_confident_mistakes(y, predicted, probs).tolist() == [2, 4, 3, 0]
    assert most_confident_mistakes(y, predicted, probs, limit=2).tolist() == [2, 4]


def test_binary_figures_on_a_small_case(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 40)
    score = rng.normal(loc=np.where(y == 1, 1.5, -1.5))  # overlapping classes: some mistakes
    p = 1 / (1 + np.exp(-score))
    probs = np.stack([1 - p, p], axis=1)
    classes = ["no", "yes"]
    plot_curves.roc_and_precision_recall(y, probs, classes, "t", tmp_path / "roc_pr.png")
    plot_curves.calibration(y, probs, classes, "t", tmp_path / "calibration.png")
    plot_curves.sigmoid_of_score(y, score, classes, 0.5, "t", tmp_path / "sigmoid.png")
    images = rng.integers(0, 256, size=(80, 6, 5), dtype=np.uint8)
    plot_images.mistakes_grid(images, y, (p >= 0.5).astype(int), probs, classes, "t",
                              tmp_path / "mistakes.png")
    plot_images.weight_templates(rng.normal(size=(1, 30)), (6, 5), classes, "t",
                                 tmp_path / "weights.png")
    for name in ("roc_pr", "calibration", "sigmoid", "mistakes", "weights"):
        with Image.open(tmp_path / f"{name}.png") as image:
            assert image.format == "PNG" and image.width > 300 and image.height > 200, name


def test_class_templates_keep_pixel_order():
    weight = np.arange(2 * 12, dtype=np.float32).reshape(2, 12)  # [classes, rows*cols]
    templates = class_templates(weight, (3, 4))
    assert templates.shape == (2, 3, 4) and templates[1, 2, 3] == weight[1, 11]
    assert templates[0, 1, 0] == weight[0, 4]  # row-major, as the images were flattened


def test_curves_are_drawn_through_their_envelope():
    """The points a ROC or precision-recall curve is drawn with: far fewer than the curve has,
    the same lowest and highest value in every slice of the x axis, the ends kept."""
    from lrnn.evaluation import precision_recall_curve, roc_curve

    rng = np.random.default_rng(0)
    positive = rng.random(20_000) < 0.1
    score = rng.normal(loc=positive * 1.5)
    for x, y in (precision_recall_curve(positive, score)[1::-1], roc_curve(positive, score)[:2]):
        kept = plot_curves.envelope(x, y)
        assert len(x) > 2 * len(kept) and len(kept) <= 4 * plot_curves.CURVE_SLICES
        assert kept[0] == 0 and kept[-1] == len(x) - 1
        slices = np.minimum((x * plot_curves.CURVE_SLICES).astype(int),
                            plot_curves.CURVE_SLICES - 1)
        for s in np.unique(slices):
            every, drawn = y[slices == s], y[kept][slices[kept] == s]
            assert drawn.min() == every.min() and drawn.max() == every.max()
    short = np.linspace(0, 1, 50)
    assert plot_curves.envelope(short, short).tolist() == list(range(50))
