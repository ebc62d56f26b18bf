"""Predictor: a saved run's preprocessing and model, applied to raw inputs with numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..artifacts.weights import WEIGHTS, load_run
from ..models.numpy_forward import NumpyModel, predicted_classes, probabilities
from ..preprocessing import Preprocessor

MAX_SHOWN = 10  # classes shown by repr()


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
        predictor = cls(loaded.info, loaded.weights, str(Path(run_dir) / WEIGHTS))
        predictor.run_dir = Path(run_dir)
        return predictor

    run_dir: Path | None = None  # where it was loaded from

    def __repr__(self) -> str:
        arch = self.info["architecture"]
        model = arch.get("model", "?")
        if arch.get("hidden_layer_sizes"):
            model += " " + ",".join(map(str, arch["hidden_layer_sizes"]))
        classes = list(self.classes[:MAX_SHOWN]) + (["..."] if len(self.classes) > MAX_SHOWN
                                                     else [])
        if self.preprocessor.kind == "image":
            inputs = "images {}x{}".format(*self.image_shape)
        else:
            inputs = f"{len(self.preprocessor.input_columns)} columns"
        where = f"{str(self.run_dir)!r}, " if self.run_dir is not None else ""
        return (f"Predictor({where}model={model!r}, inputs={inputs!r}, "
                f"classes={classes!r})")

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
