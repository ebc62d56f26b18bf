"""The datasets that ship inside scikit-learn."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import sklearn.datasets

from lrnn.data.builtin import CLASS_COUNTS, LOADERS, load_builtin, read_files, read_with_sklearn


@pytest.mark.parametrize("name", list(LOADERS))
def test_builtin_matches_sklearn(name):
    ds = load_builtin(name)
    bunch = getattr(sklearn.datasets, LOADERS[name])()
    assert ds.X.shape == bunch.data.shape and ds.X.column_names == list(bunch.feature_names)
    np.testing.assert_array_equal(np.column_stack([c.to_numpy() for c in ds.X.columns]),
                                  bunch.data.astype(np.float32))
    assert ds.schema.numeric == list(bunch.feature_names) and not ds.schema.categorical
    assert np.array_equal(ds.y, bunch.target)
    assert ds.classes == tuple(str(c) for c in bunch.target_names)
    assert len(ds.feature_names) == ds.X.shape[1] and ds.X_test is None


@pytest.mark.parametrize("name", list(LOADERS))
def test_files_read_without_sklearn_equal_its_loaders(name):
    X, y, classes, names = read_files(name)  # None would mean the fallback to scikit-learn
    theirs = read_with_sklearn(name)
    np.testing.assert_array_equal(X, theirs[0])
    np.testing.assert_array_equal(y, theirs[1])
    assert (classes, names) == (theirs[2], theirs[3])
    assert CLASS_COUNTS[name] == len(theirs[2])  # what `lrnn datasets` shows


def test_a_run_on_a_builtin_dataset_imports_no_sklearn():
    code = ("import sys, lrnn.data as d, lrnn.config as c; "
            "d.load(c.build_config({'dataset': 'wine'})); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sklearn'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr
