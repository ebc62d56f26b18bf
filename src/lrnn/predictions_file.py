"""predictions.csv: the test split's true label, predicted label and class probabilities.

The probabilities are written with Python's shortest round-trip float repr, so reading the file
back gives the very float64 values the metrics were computed from: every number in
metrics.json["test"] can be recomputed from this file alone.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .inference import predicted_classes, probabilities

FILENAME = "predictions.csv"


@dataclass(frozen=True)
class TestPredictions:
    """A model's outputs on the test split. X: the raw rows (images uint8 [N, rows, cols])."""

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


def to_csv(test: TestPredictions, classes: tuple[str, ...] | list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["true", "prediction"] + [f"proba_{c}" for c in classes])
    names = list(classes)
    for true, predicted, row in zip(test.y.tolist(), test.predicted.tolist(), test.probs.tolist()):
        writer.writerow([names[true], names[predicted]] + [repr(p) for p in row])
    return buffer.getvalue()

