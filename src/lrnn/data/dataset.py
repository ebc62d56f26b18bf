"""What every data source produces: raw features, integer labels and what they mean."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Raw features and labels 0..K-1. Images are uint8 [N, rows, cols]; tables float32 [N, F].
    `X_test`/`y_test` hold the dataset's own test split when it has one."""

    name: str
    X: np.ndarray
    y: np.ndarray
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    source: str
    image_shape: tuple[int, int] | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None

    @property
    def n_classes(self) -> int:
        return len(self.classes)
