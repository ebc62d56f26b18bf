"""The datasets that ship inside scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.datasets

from lrnn.data.builtin import LOADERS, load_builtin


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
