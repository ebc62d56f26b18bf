"""Every figure of a run, drawn into its plots/ folder after training (so none of it slows
training): which figures apply depends on the task, the input and the model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..evaluation.test_predictions import TestPredictions
from . import figures, image_figures, probability_figures

if TYPE_CHECKING:  # training imports torch; drawing needs only the History rows
    from ..training.state import History


def draw_all(folder: Path, title: str, history: History, metrics: dict,
             test: TestPredictions, info: dict, weights: dict[str, np.ndarray]) -> None:
    test_metrics = metrics["test"]
    classes = test_metrics["classes"]
    figures.learning_curves(history.epochs, history.evals, history.best_epoch, title,
                          folder / "learning_curves.png")
    matrix = test_metrics["confusion_matrix"]
    figures.confusion_matrix(matrix, classes, f"{title}: test confusion matrix (counts)",
                           folder / "confusion_matrix.png")
    figures.confusion_matrix(matrix, classes, f"{title}: test confusion matrix (share of each "
                           f"true class)", folder / "confusion_matrix_normalized.png",
                           normalize=True)
    probability_figures.roc_and_precision_recall(test.y, test.probs, classes, f"{title}: test",
                                         folder / "roc_pr.png")
    probability_figures.calibration(test.y, test.probs, classes, f"{title}: test calibration",
                            folder / "calibration.png")
    if len(classes) == 2:
        probability_figures.sigmoid_of_score(test.y, test.logits[:, 0].astype(np.float64), classes,
                                     test.threshold, f"{title}: test rows on the sigmoid",
                                     folder / "sigmoid.png")
    if "coefficients" in metrics:  # tabular logistic regression
        figures.coefficients(metrics["coefficients"], f"{title}: largest coefficients",
                           folder / "coefficients.png")
    schema = info["input_schema"]
    if schema["kind"] == "image":
        shape = tuple(schema["shape"])
        images = test.X.reshape(len(test.X), *shape)  # [N, rows*cols] or [N, rows, cols]
        image_figures.mistakes_grid(images, test.y, test.predicted, test.probs, classes, title,
                                  folder / "mistakes.png")
        if info["architecture"]["model"] == "logreg":
            image_figures.weight_templates(weights["linear.weight"], shape, classes, title,
                                         folder / "weights.png")
