"""A model's outputs on the test split, kept together for the metrics, the figures and
predictions.csv (written with exact floats: every number in metrics.json["test"] can be
recomputed from that file alone)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..models.numpy_forward import predicted_classes, probabilities

FILENAME = "predictions.csv"


@dataclass(frozen=True)
class TestPredictions:
    """X: the raw rows (images uint8 [N, rows, cols])."""

    X: np.ndarray
    y: np.ndarray  # [N] true class indices
    logits: np.ndarray  # [N, 1] binary, [N, K] otherwise
    threshold: float

    @cached_property
    def probs(self) -> np.ndarray:
        return probabilities(self.logits)

    @cached_property
    def predicted(self) -> np.ndarray:
        return predicted_classes(self.logits, self.threshold)

    def to_csv(self, classes) -> str:
        from ..artifacts.tables import predictions_csv

        return predictions_csv(classes, self.predicted, self.probs, true=self.y, exact=True)
