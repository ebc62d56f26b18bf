"""Predictor: a saved run's preprocessing and model, applied to raw inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from .artifacts import load_run
from .errors import ArtifactError
from .models import build, logits_of, predicted_classes, probabilities
from .preprocessing import Preprocessor


class Predictor:
    def __init__(self, model: torch.nn.Module, info: dict, run_dir: Path | None = None):
        self.model = model.eval()
        self.info = info
        self.run_dir = run_dir
        self.preprocessor = Preprocessor(info["preprocessing"])
        self.classes = tuple(info["classes"])
        self.threshold = float(info.get("threshold", 0.5))

    @classmethod
    def load(cls, run_dir: str | Path) -> "Predictor":
        loaded = load_run(run_dir)
        info = loaded.info
        path = Path(run_dir) / "model.safetensors"
        try:
            model = build(info["architecture"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"{Path(run_dir) / 'model.json'}: unusable architecture "
                                f"({exc.__class__.__name__}: {exc})") from None
        try:
            model.load_state_dict(loaded.state_dict, strict=True)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()
            detail = " ".join(line.strip() for line in first[1:3]) or first[0]
            raise ArtifactError(f"{path}: the weights do not match the architecture in "
                                f"model.json ({detail})") from None
        return cls(model, info, Path(run_dir))

    @property
    def image_shape(self) -> tuple[int, int] | None:
        if self.preprocessor.kind != "image":
            return None
        rows, cols = self.preprocessor.state["shape"]
        return rows, cols

    def logits(self, X: np.ndarray) -> torch.Tensor:
        return logits_of(self.model, self.preprocessor.transform(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return probabilities(self.logits(X)).numpy()

    def predict_indices(self, X: np.ndarray) -> np.ndarray:
        return predicted_classes(self.logits(X), self.threshold).numpy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class names, one per row."""
        return np.asarray(self.classes, dtype=object)[self.predict_indices(X)]


def load(run_dir: str | Path) -> Predictor:
    return Predictor.load(run_dir)
