"""Seeded, stratified splits.

Written here rather than taken from scikit-learn's train_test_split because importing
sklearn.model_selection costs ~1.8 s, longer than the whole MNIST logistic regression fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class Part:
    X: object  # np.ndarray of images, or pyarrow.Table
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Splits:
    train: Part
    val: Part | None
    test: Part


def stratified_indices(y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(kept, held-out) row indices, sorted; each class gives round(fraction * its count)."""
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        rng.shuffle(rows)
        held.append(rows[: int(round(fraction * len(rows)))])
    held_out = np.sort(np.concatenate(held)) if held else np.empty(0, dtype=np.int64)
    mask = np.ones(len(y), dtype=bool)
    mask[held_out] = False
    return np.flatnonzero(mask), held_out


def take_rows(X, rows: np.ndarray):
    """Rows of a numpy array or a pyarrow Table."""
    return X.take(rows) if hasattr(X, "take") and hasattr(X, "schema") else X[rows]


def _take(X, y: np.ndarray, rows: np.ndarray) -> Part:
    return Part(take_rows(X, rows), y[rows])


def split(X, y, X_test, y_test, *, val_fraction: float, test_fraction: float, seed: int) -> Splits:
    """Train / validation / test. The test split is the dataset's own when it has one."""
    if X_test is None:
        keep, held = stratified_indices(y, test_fraction, seed)
        if len(held) == 0 or len(keep) == 0:
            raise InputError(f"--test-fraction {test_fraction}: too few rows ({len(y)}) for a "
                             f"held-out test split")
        test = _take(X, y, held)
        X, y = take_rows(X, keep), y[keep]
    else:
        test = Part(X_test, y_test)
    val = None
    if val_fraction > 0:
        keep, held = stratified_indices(y, val_fraction, seed + 1)
        if len(held) == 0 or len(keep) == 0:
            raise InputError(f"--val-fraction {val_fraction}: too few rows ({len(y)}) for a "
                             f"validation split")
        val = _take(X, y, held)
        X, y = take_rows(X, keep), y[keep]
    return Splits(train=Part(X, y), val=val, test=test)
