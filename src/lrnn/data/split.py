"""Seeded, stratified splits.

Written here rather than taken from scikit-learn's train_test_split because importing
sklearn.model_selection costs ~1.8 s, longer than the whole MNIST logistic regression fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError


@dataclass(frozen=True)
class SplitRows:
    """Row numbers of the dataset's main data for each split. `test` is None when the dataset
    brings its own test data."""

    train: np.ndarray
    val: np.ndarray | None
    test: np.ndarray | None


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


def split_rows(y: np.ndarray, *, own_test: bool, val_fraction: float, test_fraction: float,
               seed: int) -> SplitRows:
    """Train / validation / test rows: a held-out test share unless the dataset has its own
    test data, then a validation share of what is left."""
    rows, test = np.arange(len(y)), None
    if not own_test:
        keep, held = stratified_indices(y, test_fraction, seed)
        if len(held) == 0 or len(keep) == 0:
            raise InputError(f"--test-fraction {test_fraction}: too few rows ({len(y)}) for a "
                             f"held-out test split")
        rows, test = keep, held
    val = None
    if val_fraction > 0:
        keep, held = stratified_indices(y[rows], val_fraction, seed + 1)
        if len(held) == 0 or len(keep) == 0:
            raise InputError(f"--val-fraction {val_fraction}: too few rows ({len(rows)}) for a "
                             f"validation split")
        rows, val = rows[keep], rows[held]
    return SplitRows(train=rows, val=val, test=test)


def take_rows(X, rows: np.ndarray):
    """Rows of a numpy array or a pyarrow Table."""
    return X.take(rows) if hasattr(X, "schema") else X[rows]
