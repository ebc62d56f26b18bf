"""Matrices: numbers the caller has already prepared (the scikit-learn estimators' input), used
as they are. The state names the feature columns so that `lrnn predict` can read a table file
with those columns for a model saved by an estimator."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError


def fit_matrix(feature_names: list[str]) -> dict[str, Any]:
    return {"kind": "matrix", "features": list(feature_names)}


def transform_matrix(state: dict[str, Any], X) -> np.ndarray:
    """float32 [N, features]. A table (pyarrow Table or pandas DataFrame) gives its columns by
    name, in training order; anything else is taken as rows of numbers in that order."""
    names = state["features"]
    if hasattr(X, "column_names") or (hasattr(X, "columns") and hasattr(X, "dtypes")):
        present = set(X.column_names if hasattr(X, "column_names") else X.columns)
        missing = [n for n in names if n not in present]
        if missing:
            raise InputError(f"missing columns {', '.join(missing[:5])}; expected every column "
                             f"the model was trained on")
        X = np.column_stack([np.asarray(_column(X, n), dtype=np.float64) for n in names]) \
            if names else np.empty((len(X), 0))
    try:
        array = np.asarray(X, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InputError(f"expected numbers, found {exc}") from None
    if array.ndim != 2 or array.shape[1] != len(names):
        raise InputError(f"expected rows of {len(names)} numbers, found shape {array.shape}")
    if not np.isfinite(array).all():
        raise InputError("expected finite numbers, found NaN or infinity")
    return array


def _column(table, name: str):
    if hasattr(table, "column_names"):  # pyarrow
        return table.column(name).to_numpy(zero_copy_only=False)
    return table[name].to_numpy()
