"""The preprocessor: fitted on train only, JSON state, images kept as uint8."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from lrnn.errors import InputError
from lrnn.models.numpy_forward import model_input
from lrnn.preprocessing import Preprocessor


def test_numbers_standardize_as_sklearn_and_survive_json():
    import pyarrow as pa

    from lrnn.data.tables.columns import ColumnPlan

    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, size=(200, 5)).astype(np.float32)
    X[:, 2] = 7.0  # a constant column
    names = [f"x{j}" for j in range(5)]
    table = pa.table({n: X[:, j] for j, n in enumerate(names)})
    fitted = Preprocessor.fit(table, plan=ColumnPlan(numeric=names))
    pre = Preprocessor(json.loads(json.dumps(fitted.to_json())))
    out = pre.transform(table)
    expected = StandardScaler().fit_transform(X.astype(np.float64))
    np.testing.assert_allclose(out, expected, atol=1e-5)
    assert np.all(out[:, 2] == 0)  # no NaN from a zero variance
    assert pre.feature_names == names
    with pytest.raises(InputError, match="missing columns x4"):
        pre.transform(table.drop_columns(["x4"]))


def test_images_stay_uint8_and_scale_per_batch():
    pre = Preprocessor.fit(np.zeros((2, 28, 28), np.uint8), (28, 28))
    images = np.arange(3 * 784).reshape(3, 28, 28).astype(np.uint8)
    stored = pre.transform(images)
    assert stored.dtype == np.uint8 and stored.shape == (3, 784)
    batch = model_input(stored)
    assert batch.dtype == np.float32
    np.testing.assert_allclose(batch, images.reshape(3, 784) / 255.0, rtol=1e-6)
    # floats in 0..1 are taken as already scaled; 0..255 floats are scaled
    np.testing.assert_allclose(model_input(pre.transform(images.astype(np.float64) / 255)), batch,
                               rtol=1e-6)
    np.testing.assert_allclose(model_input(pre.transform(images.astype(np.float32))), batch,
                               rtol=1e-6)


def test_torch_and_numpy_scale_pixels_alike():
    import torch

    from lrnn.models.torch_models import to_model_input

    pixels = np.arange(256, dtype=np.uint8)[None, :]
    assert np.array_equal(to_model_input(torch.from_numpy(pixels)).numpy(), model_input(pixels))


def test_image_shape_and_range_checked():
    pre = Preprocessor.fit(np.zeros((1, 28, 28), np.uint8), (28, 28))
    with pytest.raises(InputError, match="expected images of 28x28"):
        pre.transform(np.zeros((2, 27, 28), np.uint8))
    with pytest.raises(InputError, match="0..255"):
        pre.transform(np.full((1, 784), 300.0))
    with pytest.raises(InputError, match="finite"):
        pre.transform(np.full((1, 784), np.nan))


def _table_pre(train, numeric=(), categorical=()):
    from lrnn.data.tables.columns import ColumnPlan

    plan = ColumnPlan(numeric=list(numeric), categorical=list(categorical))
    return Preprocessor(json.loads(json.dumps(Preprocessor.fit(train, plan=plan).to_json())))


def test_numbers_median_imputation_and_indicator():
    import pyarrow as pa

    train = pa.table({"a": [1.0, None, 3.0, 10.0], "b": [1.0, 2.0, 3.0, 4.0]})
    pre = _table_pre(train, numeric=["a", "b"])
    assert pre.feature_names == ["a", "a (missing)", "b"]
    out, notes = pre.transform_with_notes(pa.table({"b": [None, 2.0], "a": [None, 3.0]}))
    a = np.array([1.0, 3.0, 3.0, 10.0])  # the gap took the median 3
    np.testing.assert_allclose(out[:, 0], (np.array([3.0, 3.0]) - a.mean()) / a.std(), rtol=1e-6)
    assert out[:, 1].tolist() == [1.0, 0.0]
    b = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(out[0, 2], (2.5 - b.mean()) / b.std(), rtol=1e-6)
    assert notes == ["column 'b': 1 missing values, none in training; used the training median "
                     "2.5"]


def test_categories_levels_missing_unseen_and_other():
    import pyarrow as pa

    from lrnn.data.tables.columns import MAX_LEVELS

    train = pa.table({"c": ["x", "y", None, "x"], "n": [1, 2, 3, 1]})
    pre = _table_pre(train, categorical=["c", "n"])
    assert pre.feature_names == ["c=x", "c=y", "c=(missing)", "n=1", "n=2", "n=3"]
    out, notes = pre.transform_with_notes(pa.table({"c": ["y", None, "z"], "n": [2.0, 3.0, 7.0]}))
    assert out.tolist() == [[0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 0, 1], [0, 0, 0, 0, 0, 0]]
    assert "column 'c': 1 values not seen in training (such as 'z'); encoded as 0" in notes[0]
    many = pa.table({"t": [f"v{i % (MAX_LEVELS + 5)}" for i in range(500)]})
    capped = _table_pre(many, categorical=["t"])
    assert capped.n_features == MAX_LEVELS + 1 and capped.feature_names[-1] == "t=(other)"
    out, notes = capped.transform_with_notes(pa.table({"t": ["never seen"]}))
    assert out[0, -1] == 1 and out.sum() == 1 and "encoded as '(other)'" in notes[0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_middle_value_is_numpys_median(dtype):
    """The faster median gives np.median's number (the imputed value of every table column):
    odd and even lengths, ties, heavy tails, one value."""
    from lrnn.preprocessing.tables import middle_value

    rng = np.random.default_rng(7)
    for n in [1, 2, 3, 4, *rng.integers(5, 5000, size=300).tolist(), 700_001]:
        for values in (rng.normal(size=n), rng.integers(0, 4, size=n), rng.lognormal(0, 6, n)):
            values = values.astype(dtype)
            expected = np.median(values)
            assert middle_value(values) == expected and middle_value(values).dtype == dtype
