"""The final scores of a trained run on its test split, through the same numpy forward pass as
`lrnn predict`, so that the two agree exactly."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..models.numpy_forward import NumpyModel
from . import coefficients, evaluate
from .test_predictions import TestPredictions


def score_test(test_X: np.ndarray, test_y: np.ndarray, info: dict[str, Any],
               weights: dict[str, np.ndarray], feature_names: list[str] | None = None
               ) -> tuple[dict[str, Any], TestPredictions]:
    """(metrics.json's "test" and, for a table logistic regression, "coefficients"; the test
    predictions). `test_X` holds the rows as the model takes them (uint8 pixels or floats)."""
    classes, threshold = tuple(info["classes"]), float(info["threshold"])
    logits = NumpyModel(info["architecture"], weights).logits(test_X)
    shape = info["input_schema"].get("shape")
    # images as they were read (uint8 pixels) for the grid of mistakes
    shown = test_X.reshape(-1, *shape) if info["input_schema"]["kind"] == "image" else test_X
    scored = TestPredictions(shown, test_y, logits, threshold)
    metrics: dict[str, Any] = {"test": evaluate(logits, test_y, classes, threshold)}
    if info["architecture"]["model"] == "logreg" and feature_names is not None:
        metrics["coefficients"] = coefficients(weights, classes, feature_names)
    return metrics, scored
