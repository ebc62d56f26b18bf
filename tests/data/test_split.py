"""Seeded stratified splits."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn.data.split import split_rows, stratified_indices
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
