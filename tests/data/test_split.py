"""Seeded stratified splits."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn.data.split import split, stratified_indices
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


def test_split_uses_own_test_split_when_given():
    y = labels()
    X = np.arange(len(y))[:, None]
    X_test, y_test = np.zeros((7, 1)), np.zeros(7, dtype=int)
    s = split(X, y, X_test, y_test, val_fraction=0.1, test_fraction=0.5, seed=0)
    assert len(s.test) == 7 and len(s.val) == 100 and len(s.train) == 900
    s = split(X, y, None, None, val_fraction=0.0, test_fraction=0.5, seed=0)
    assert s.val is None and len(s.test) == 500
    assert len(np.intersect1d(s.train.X, s.test.X)) == 0


def test_too_few_rows():
    y = np.array([0, 1])
    with pytest.raises(InputError, match="too few rows"):
        split(np.zeros((2, 1)), y, None, None, val_fraction=0.1, test_fraction=0.2, seed=0)
