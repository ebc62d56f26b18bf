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
    """(kept, held-out) row indices, sorted. round(fraction * rows) rows are held out (at
    least one), shared among the classes in proportion to their sizes: each class gives the
    whole part of its share, and the rows left over go to the classes with the largest
    remainders. A class never gives its last row, so every class stays in the kept part."""
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(y, return_counts=True)
    quotas = fraction * counts
    take = np.minimum(np.floor(quotas).astype(np.int64), counts - 1)
    wanted = min(max(1, int(round(fraction * len(y)))), int((counts - 1).sum()))
    left = wanted - int(take.sum())
    for c in np.argsort(-(quotas - take), kind="stable"):  # largest remainders first
        if left > 0 and take[c] < counts[c] - 1:
            take[c] += 1
            left -= 1
    held = []
    for label, k in zip(classes, take):
        rows = np.flatnonzero(y == label)
        rng.shuffle(rows)
        held.append(rows[:k])
    held_out = np.sort(np.concatenate(held)) if held else np.empty(0, dtype=np.int64)
    mask = np.ones(len(y), dtype=bool)
    mask[held_out] = False
    return np.flatnonzero(mask), held_out


def stratified_folds(y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """The fold (0 .. folds - 1) of each row, for cross-validation: each class's rows are
    shuffled and dealt to the folds in turn, the dealing going on from class to class, so
    that every fold holds each class's share and fold sizes differ by one row at most."""
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=np.int64)
    dealt = 0
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        rng.shuffle(rows)
        fold[rows] = (dealt + np.arange(len(rows))) % folds
        dealt += len(rows)
    return fold


def split_rows(y: np.ndarray, *, own_test: bool, val_fraction: float, test_fraction: float,
               seed: int) -> SplitRows:
    """Train / validation / test rows: a held-out test share unless the dataset has its own
    test data, then a validation share of what is left."""
    rows, test = np.arange(len(y)), None
    if not own_test:
        keep, held = stratified_indices(y, test_fraction, seed)
        if len(held) == 0 or len(keep) == 0:
            raise InputError(f"--test-fraction {test_fraction}: too few rows ({len(y)}) for a "
                             f"held-out test split; expected two rows of a class at least")
        rows, test = keep, held
    val = None
    if val_fraction > 0:
        keep, held = stratified_indices(y[rows], val_fraction, seed + 1)
        if (len(held) == 0 or len(keep) == 0) and test is not None and len(test) > len(rows):
            raise InputError(f"--test-fraction {test_fraction}: holds out {len(test)} of "
                             f"{len(y)} rows, leaving {len(rows)}: too few to train and "
                             f"validate on (--val-fraction {val_fraction}); lower "
                             f"--test-fraction")
        if len(held) == 0 or len(keep) == 0:
            raise InputError(f"--val-fraction {val_fraction}: too few rows ({len(rows)}) for a "
                             f"validation split; pass --val-fraction 0 to train without one")
        rows, val = rows[keep], rows[held]
    return SplitRows(train=rows, val=val, test=test)


def small_split_warning(rows: SplitRows, n_classes: int, val_fraction: float,
                        test_fraction: float) -> str | None:
    """A warning when the held-out splits leave the training split tiny: smaller than the
    validation or the test split, or fewer than two rows a class."""
    n_train = len(rows.train)
    n_val = len(rows.val) if rows.val is not None else 0
    n_test = len(rows.test) if rows.test is not None else 0
    if n_train >= max(n_val, n_test) and n_train >= 2 * n_classes:
        return None
    held = [f"--val-fraction {val_fraction} holds out {n_val:,}"] if n_val else []
    if rows.test is not None:
        held.append(f"--test-fraction {test_fraction} holds out {n_test:,}")
    return (f"training on only {n_train:,} rows ({'; '.join(held)}); the model will be "
            f"barely trained: lower the fractions")


def take_rows(X, rows: np.ndarray):
    """Rows of a numpy array or a pyarrow Table."""
    return X.take(rows) if hasattr(X, "schema") else X[rows]
