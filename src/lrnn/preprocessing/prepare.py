"""From the configured data to tensors on the training device: load, split, fit the
preprocessor on the training rows only, transform, and release the raw data early.

Memory: the raw table is transformed once into one float32 matrix and dropped before that
matrix is cut into splits, so the peak stays near twice the feature matrix (see the large-table
benchmark). This module loads the data itself so that no caller holds the raw table.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from .. import data
from ..console import Console
from ..data.split import small_split_warning, split_rows
from . import Preprocessor


@dataclass(frozen=True)
class TrainData:
    """Rows ready for the model, on the training device."""

    X: torch.Tensor  # [N, F] uint8 pixels or float32 features
    y: torch.Tensor  # [N] int64 class indices
    w: torch.Tensor | None = None  # [N] float32 row weights (class or sample weights), or None

    def __len__(self) -> int:
        return len(self.y)

    @classmethod
    def from_numpy(cls, X: np.ndarray, y: np.ndarray, device: torch.device,
                   w: torch.Tensor | None = None) -> "TrainData":
        X = X if X.flags.writeable else X.copy()  # torch wants writable memory (read-only memmaps)
        return cls(torch.from_numpy(X).to(device), torch.from_numpy(y).to(device), w)


@dataclass(frozen=True)
class Prepared:
    train: TrainData
    val: TrainData | None
    test: TrainData
    test_y: np.ndarray  # the test labels, for the final metrics
    preprocessor: Preprocessor
    dataset: data.Dataset  # name, classes, schema, source; its raw features are released

    def split_labels(self) -> dict[str, np.ndarray]:
        """Each split's class indices, by name."""
        parts = {"train": self.train, "validation": self.val, "test": self.test}
        return {name: part.y.cpu().numpy() for name, part in parts.items() if part is not None}


def prepare(config, device: torch.device, console: Console, frame=None) -> Prepared:
    """`frame`: the pandas DataFrame of a Python call (data.load)."""
    dataset = data.load(config, frame)
    # the CSV reader's freed blocks, which pyarrow's pool would keep to the end: peak memory
    # of the 1,000,000 x 20 CSV 537-593 -> 509-510 MB, and its run 3.2-3.4 -> 3.0-3.1 s
    _release_arrow_memory()
    for message in dataset.schema.warnings if dataset.schema else []:
        console.warn(message)
    rows = split_rows(dataset.y, own_test=dataset.X_test is not None,
                      val_fraction=config.val_fraction, test_fraction=config.test_fraction,
                      seed=config.seed)
    small = small_split_warning(rows, dataset.n_classes, config.val_fraction,
                                config.test_fraction)
    if small:
        console.warn(small)
    features, own_test, y = dataset.X, dataset.X_test, dataset.y
    dataset = dataclasses.replace(dataset, X=None, X_test=None)
    pre = Preprocessor.fit(features, dataset.image_shape, dataset.schema, dataset.source,
                           rows=rows.train)
    # column-major: every split below is a copy of its rows (C order), the values the same
    matrix = _transform(pre, features, "held-out rows", console, order="F")
    del features  # the raw table is no longer needed: free it before copying the splits
    _release_arrow_memory()
    test_X = matrix[rows.test] if rows.test is not None else _transform(pre, own_test,
                                                                        "test data", console)
    test_y = y[rows.test] if rows.test is not None else dataset.y_test
    train = TrainData.from_numpy(matrix[rows.train], y[rows.train], device)
    val = TrainData.from_numpy(matrix[rows.val], y[rows.val], device) \
        if rows.val is not None else None
    del matrix
    return Prepared(train, val, TrainData.from_numpy(test_X, test_y, device), test_y, pre,
                    dataset)


def _transform(pre: Preprocessor, X, what: str, console: Console,
               order: str = "C") -> np.ndarray:
    matrix, notes = pre.transform_with_notes(X, what, order)
    for note in notes:
        console.warn(f"{what}: {note}")
    return matrix


def _release_arrow_memory() -> None:
    """Give pyarrow's freed pages back to the system (its pool keeps them otherwise)."""
    import sys

    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
