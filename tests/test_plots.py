"""The figures are written as real PNG images of a sensible size."""

from __future__ import annotations

import math

from PIL import Image

from lrnn import plots


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
