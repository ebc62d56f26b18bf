"""What every data source produces: raw features, integer labels and what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Raw features and labels 0..K-1. Images are uint8 arrays [N, rows, cols]; tables are
    pyarrow Tables of raw columns, with `schema` saying how each column is typed.
    `X_test`/`y_test` hold the dataset's own test split when it has one."""

    name: str
    X: Any  # np.ndarray of images, or pyarrow.Table
    y: np.ndarray
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    source: str
    image_shape: tuple[int, int] | None = None
    X_test: Any = None
    y_test: np.ndarray | None = None
    schema: Any = None  # data.columns.ColumnPlan for tables

    @property
    def n_classes(self) -> int:
        return len(self.classes)
