"""The run being served, loaded once at start-up: the Predictor, what /metadata says about it,
and predictions as the JSON the server answers with."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ._lrnn import ArtifactError, Predictor, __version__, predicted_classes, probabilities

METRICS_JSON = "metrics.json"


class ServedModel:
    def __init__(self, predictor: Predictor, name: str, metrics: dict | None):
        self.predictor = predictor
        self.name = name
        self.kind = predictor.preprocessor.kind  # image | table | matrix
        self.classes = [str(c) for c in predictor.classes]
        self.metrics = metrics
        self.columns = input_columns(predictor) if self.kind != "image" else []
        schema = predictor.info.get("input_schema", {})
        self.id_column = schema.get("id_column")
        # columns a table may hold besides the model's own without a warning
        self.known_extra = {schema.get("target"), self.id_column, *schema.get("dropped", {})}
        self.known_extra.discard(None)

    @classmethod
    def load(cls, run_dir: str | Path) -> "ServedModel":
        run_dir = Path(run_dir)
        return cls(Predictor.load(run_dir), run_dir.resolve().name, _test_metrics(run_dir))

    @property
    def image_shape(self) -> tuple[int, int] | None:
        return self.predictor.image_shape

    def metadata(self) -> dict[str, Any]:
        info = self.predictor.info
        inputs: dict[str, Any]
        if self.kind == "image":
            rows, cols = self.image_shape
            inputs = {"kind": "image", "shape": [rows, cols], "values": "0..255",
                      "prepare_digits": rows == cols}
        else:
            inputs = {"kind": "table", "columns": self.columns, "id_column": self.id_column}
        return {"name": self.name, "lrnn_version": __version__, "dataset": info.get("dataset"),
                "model": info["architecture"].get("model"), "task": info.get("task"),
                "classes": self.classes, "threshold": self.predictor.threshold, "input": inputs,
                "test_metrics": self.metrics}

    def predictions(self, X: np.ndarray, ids: list | None = None) -> list[dict[str, Any]]:
        """One {"label", "probabilities"} per row of X (rows as Preprocessor.transform gives
        them): the numbers of `lrnn predict`, through the same numpy forward pass."""
        logits = self.predictor.model.logits(X)
        labels = predicted_classes(logits, self.predictor.threshold).tolist()
        classes = self.classes
        out = [{"label": classes[label], "probabilities": dict(zip(classes, row))}
               for label, row in zip(labels, probabilities(logits).tolist())]
        if ids is not None:
            for row, value in zip(out, ids):
                row["id"] = value
        return out


def input_columns(predictor: Predictor) -> list[dict[str, Any]]:
    """Each raw column a table model reads: numbers with the training median (what a missing
    value becomes), categories with their known levels."""
    state = predictor.preprocessor.state
    if predictor.preprocessor.kind == "matrix":  # an estimator's columns: numbers, no gaps
        return [{"name": name, "type": "number", "missing": False} for name in state["features"]]
    columns = []
    for col in state["columns"]:
        if col["type"] == "numeric":
            columns.append({"name": col["name"], "type": "number", "median": col["median"],
                            "missing": True})
        else:
            columns.append({"name": col["name"], "type": "category", "levels": col["levels"],
                            "missing": True, "missing_in_training": col["missing"],
                            "other": col["other"]})
    return columns


def _test_metrics(run_dir: Path) -> dict | None:
    """metrics.json's test scores; runs saved by an estimator have none."""
    path = run_dir / METRICS_JSON
    if not path.exists():
        return None
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: not readable JSON ({exc})") from None
    return metrics.get("test") if isinstance(metrics, dict) else None
