"""Preprocessor: fitted on the training split only, applied to anything later; its state is
plain JSON saved in model.json. Images: see images.py; tables: see tables.py; matrices the
scikit-learn estimators were fitted on: see matrix.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from .images import PIXEL_SCALE, fit_images, transform_images


class Preprocessor:
    def __init__(self, state: dict[str, Any]):
        self.state = state

    @classmethod
    def fit(cls, X, image_shape: tuple[int, int] | None = None, plan=None,
            source: str = "training data", rows: np.ndarray | None = None) -> "Preprocessor":
        """Fit on the rows `rows` of X (all rows when None)."""
        if image_shape is not None:
            return cls(fit_images(image_shape))
        from .tables import fit_table

        return cls(fit_table(X, plan, source, rows))

    @property
    def kind(self) -> str:
        return self.state["kind"]

    @property
    def feature_names(self) -> list[str]:
        if self.kind == "image":
            rows, cols = self.state["shape"]
            return [f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)]
        return list(self.state["features"])

    @property
    def n_features(self) -> int:
        if self.kind == "image":
            rows, cols = self.state["shape"]
            return rows * cols
        return len(self.state["features"])

    @property
    def input_columns(self) -> list[str]:
        """The raw columns a table model reads."""
        if self.kind == "matrix":
            return list(self.state["features"])
        return [c["name"] for c in self.state.get("columns", [])]

    def transform(self, X, source: str = "input") -> np.ndarray:
        return self.transform_with_notes(X, source)[0]

    def transform_with_notes(self, X, source: str = "input",
                             order: str = "C") -> tuple[np.ndarray, list[str]]:
        """Rows as stored in memory (uint8 pixels or float32 features), and notes on values
        that training never had (unseen categories, gaps in complete columns). `order` "F"
        lays a table's features out column by column (faster to make, slower to read rows)."""
        if self.kind == "image":
            return transform_images(self.state, X, source), []
        if self.kind == "matrix":
            from .matrix import transform_matrix

            return transform_matrix(self.state, X), []
        from .tables import transform_table

        return transform_table(self.state, _as_table(X, self.input_columns), source, order)

    def to_json(self) -> dict[str, Any]:
        return dict(self.state)


def _as_table(X, columns: list[str]):
    """pyarrow Tables pass through; pandas DataFrames and 2-D arrays (columns in training
    order) are converted."""
    import pyarrow as pa

    if isinstance(X, pa.Table):
        return X
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # a pandas DataFrame
        return pa.Table.from_pandas(X, preserve_index=False)
    array = np.asarray(X)
    if array.ndim != 2 or array.shape[1] != len(columns):
        from ..errors import InputError

        raise InputError(f"expected rows of {len(columns)} columns ({', '.join(columns[:5])}"
                         f"{', ...' if len(columns) > 5 else ''}), found shape {array.shape}")
    return pa.table({name: array[:, j] for j, name in enumerate(columns)})


__all__ = ["Preprocessor", "PIXEL_SCALE"]
