"""Every figure of a run, drawn into its plots/ folder after training (so none of it slows
training): which figures apply depends on the task, the input and the model.

`plan` says what to draw as FigureJobs: a figure's file name, its drawing function and that
function's arguments, plain JSON values and numpy arrays only, so that a job can be drawn in
this process (`draw`) or handed to another (figure_worker.py) with the same result."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..evaluation.test_predictions import TestPredictions
from . import figures, image_figures, probability_figures

if TYPE_CHECKING:  # training imports torch; drawing needs only the History rows
    from ..training.state import History

# The functions a job may name (a worker draws nothing else).
DRAWERS = {
    "learning_curves": figures.learning_curves,
    "confusion_matrix": figures.confusion_matrix,
    "coefficients": figures.coefficients,
    "roc_pr": probability_figures.roc_and_precision_recall,
    "calibration": probability_figures.calibration,
    "sigmoid": probability_figures.sigmoid_of_score,
    "mistakes": image_figures.mistake_tiles,
    "weights": image_figures.weight_templates,
    # a tuning study's page (tune/study_page.py)
    "study_history": figures.study_history,
    "study_importances": figures.study_importances,
    "study_slices": figures.study_slices,
}


@dataclass(frozen=True)
class FigureJob:
    name: str  # the figure is plots/<name>.png
    drawer: str  # a key of DRAWERS
    args: dict[str, Any]  # its keyword arguments but `path`: JSON values and numpy arrays


def plan(title: str, history: History, metrics: dict, test: TestPredictions, info: dict,
         weights: dict[str, np.ndarray]) -> list[FigureJob]:
    test_metrics = metrics["test"]
    classes = list(test_metrics["classes"])
    matrix = test_metrics["confusion_matrix"]
    jobs = [FigureJob("learning_curves", "learning_curves",
                      dict(epochs=history.epochs, evals=history.evals,
                           best_epoch=history.best_epoch, title=title)),
            FigureJob("confusion_matrix", "confusion_matrix",
                      dict(matrix=matrix, classes=classes,
                           title=f"{title}: test confusion matrix (counts)")),
            FigureJob("confusion_matrix_normalized", "confusion_matrix",
                      dict(matrix=matrix, classes=classes, normalize=True,
                           title=f"{title}: test confusion matrix (share of each true class)"))]
    y, probs = test.y, test.probs
    jobs += [FigureJob("roc_pr", "roc_pr", dict(y=y, probs=probs, classes=classes,
                                                title=f"{title}: test")),
             FigureJob("calibration", "calibration", dict(y=y, probs=probs, classes=classes,
                                                          title=f"{title}: test calibration"))]
    if len(classes) == 2:
        jobs.append(FigureJob("sigmoid", "sigmoid", dict(
            y=y, score=test.logits[:, 0].astype(np.float64), classes=classes,
            threshold=float(test.threshold), title=f"{title}: test rows on the sigmoid")))
    if "coefficients" in metrics:  # tabular logistic regression
        jobs.append(FigureJob("coefficients", "coefficients", dict(
            table=metrics["coefficients"], title=f"{title}: largest coefficients")))
    schema = info["input_schema"]
    if schema["kind"] == "image":
        jobs += _image_jobs(title, test, classes, tuple(schema["shape"]), info, weights)
    return jobs


def _image_jobs(title: str, test: TestPredictions, classes: list[str], shape: tuple[int, ...],
                info: dict, weights: dict[str, np.ndarray]) -> list[FigureJob]:
    images = test.X.reshape(len(test.X), *shape)  # [N, rows*cols] or [N, rows, cols]
    y, predicted, probs = test.y, test.predicted, test.probs
    chosen = image_figures.most_confident_mistakes(y, predicted, probs)
    jobs = [FigureJob("mistakes", "mistakes", dict(
        images=np.ascontiguousarray(images[chosen]), predicted=predicted[chosen], true=y[chosen],
        confidence=probs[chosen, predicted[chosen]], n_wrong=int((predicted != y).sum()),
        n_rows=len(y), classes=classes, title=title))]
    if info["architecture"]["model"] == "logreg":
        jobs.append(FigureJob("weights", "weights", dict(
            weight=weights["linear.weight"], shape=list(shape), classes=classes, title=title)))
    return jobs


def draw(job: FigureJob, folder: Path) -> Path:
    path = Path(folder) / f"{job.name}.png"
    DRAWERS[job.drawer](**job.args, path=path)
    return path


def draw_all(folder: Path, title: str, history: History, metrics: dict,
             test: TestPredictions, info: dict, weights: dict[str, np.ndarray]) -> None:
    """Every figure of the run, drawn in this process."""
    for job in plan(title, history, metrics, test, info, weights):
        draw(job, folder)
