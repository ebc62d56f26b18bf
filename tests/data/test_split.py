"""Seeded stratified splits."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn.data.split import split_rows, stratified_folds, stratified_indices
from lrnn.errors import InputError


def labels():
    return np.repeat(np.arange(3), [500, 300, 200])


def test_stratified_and_disjoint():
    y = labels()
    keep, held = stratified_indices(y, 0.2, seed=0)
    assert len(np.intersect1d(keep, held)) == 0 and len(keep) + len(held) == len(y)
    assert np.bincount(y[held]).tolist() == [100, 60, 40]  # 20 % of each class


def test_seeded():
    y = labels()
    a = stratified_indices(y, 0.3, seed=1)[1]
    assert np.array_equal(a, stratified_indices(y, 0.3, seed=1)[1])
    assert not np.array_equal(a, stratified_indices(y, 0.3, seed=2)[1])


def test_split_rows():
    y = labels()
    rows = split_rows(y, own_test=True, val_fraction=0.1, test_fraction=0.5, seed=0)
    assert rows.test is None and len(rows.val) == 100 and len(rows.train) == 900
    assert np.bincount(y[rows.val]).tolist() == [50, 30, 20]
    rows = split_rows(y, own_test=False, val_fraction=0.1, test_fraction=0.2, seed=0)
    parts = [rows.train, rows.val, rows.test]
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(y)))  # a partition
    assert [len(p) for p in parts] == [720, 80, 200]


def test_too_few_rows():
    y = np.array([0, 1])
    with pytest.raises(InputError, match="too few rows"):
        split_rows(y, own_test=False, val_fraction=0.1, test_fraction=0.2, seed=0)


def test_small_classes_share_the_held_out_rows():
    """Twenty classes of three rows: 10 % of 60 rows is 6 validation rows, one from each of
    six classes (per-class rounding would hold out none), and no class loses its last row."""
    y = np.repeat(np.arange(20), 3)
    keep, held = stratified_indices(y, 0.1, seed=0)
    assert len(held) == 6 and np.bincount(y[held], minlength=20).max() == 1
    assert set(y[keep]) == set(range(20))


def test_a_single_row_class_stays_in_training():
    y = np.array([0] * 60 + [1] * 39 + [2])
    keep, held = stratified_indices(y, 0.2, seed=0)
    assert len(held) == 20 and 99 in keep


def test_folds_are_stratified_balanced_and_seeded():
    y = np.repeat([0, 1, 2], [53, 31, 7])
    fold = stratified_folds(y, 5, seed=3)
    assert set(fold.tolist()) == set(range(5))
    sizes = np.bincount(fold)
    assert sizes.max() - sizes.min() <= 1 and sizes.sum() == len(y)
    for label in range(3):  # each class spread over the folds as evenly as it can be
        per_fold = np.bincount(fold[y == label], minlength=5)
        assert per_fold.max() - per_fold.min() <= 1
    assert np.array_equal(stratified_folds(y, 5, seed=3), fold)
    assert not np.array_equal(stratified_folds(y, 5, seed=4), fold)
