"""Predictor: a saved run's preprocessing and model, applied to raw inputs with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..artifacts.weights import WEIGHTS, load_run
from ..models.numpy_forward import NumpyModel, predicted_classes, probabilities
from ..preprocessing import Preprocessor


class Predictor:
    def __init__(self, info: dict, weights: dict[str, np.ndarray], source: str = ""):
        self.info = info
        self.model = NumpyModel(info["architecture"], weights, source)
        self.preprocessor = Preprocessor(info["preprocessing"])
        self.classes = tuple(info["classes"])
        self.threshold = float(info.get("threshold", 0.5))

    @classmethod
    def load(cls, run_dir: str | Path) -> "Predictor":
        loaded = load_run(run_dir)
        return cls(loaded.info, loaded.weights, str(Path(run_dir) / WEIGHTS))

    @property
    def image_shape(self) -> tuple[int, int] | None:
        if self.preprocessor.kind != "image":
            return None
        rows, cols = self.preprocessor.state["shape"]
        return rows, cols

    def logits(self, X: np.ndarray) -> np.ndarray:
        return self.model.logits(self.preprocessor.transform(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return probabilities(self.logits(X))

    def predict_indices(self, X: np.ndarray) -> np.ndarray:
        return predicted_classes(self.logits(X), self.threshold)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class names, one per row."""
        return np.asarray(self.classes, dtype=object)[self.predict_indices(X)]
