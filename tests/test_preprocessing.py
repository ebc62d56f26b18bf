"""The preprocessor: fitted on train only, JSON state, images kept as uint8."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from lrnn.errors import InputError
from lrnn.preprocessing import Preprocessor, to_model_input


def test_standardize_matches_sklearn_and_survives_json():
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, size=(200, 5)).astype(np.float32)
    X[:, 2] = 7.0  # a constant column
    pre = Preprocessor(json.loads(json.dumps(Preprocessor.fit(X, None).to_json())))
    out = pre.transform(X).numpy()
    expected = StandardScaler().fit_transform(X.astype(np.float64))
    np.testing.assert_allclose(out, expected, atol=1e-5)
    assert np.all(out[:, 2] == 0)  # no NaN from a zero variance
    with pytest.raises(InputError, match="expected rows of 5 features"):
        pre.transform(X[:, :4])


def test_images_stay_uint8_and_scale_per_batch():
    pre = Preprocessor.fit(np.zeros((2, 28, 28), np.uint8), (28, 28))
    images = np.arange(3 * 784).reshape(3, 28, 28).astype(np.uint8)
    stored = pre.transform(images)
    assert stored.dtype == torch.uint8 and stored.shape == (3, 784)
    batch = to_model_input(stored)
    assert batch.dtype == torch.float32
    torch.testing.assert_close(batch, torch.from_numpy(images.reshape(3, 784) / 255.0).float())
    # floats in 0..1 are taken as already scaled; 0..255 floats are scaled
    as_floats = pre.transform(images.astype(np.float64) / 255)
    torch.testing.assert_close(to_model_input(as_floats), batch)
    torch.testing.assert_close(to_model_input(pre.transform(images.astype(np.float32))), batch)


def test_image_shape_and_range_checked():
    pre = Preprocessor.fit(np.zeros((1, 28, 28), np.uint8), (28, 28))
    with pytest.raises(InputError, match="expected images of 28x28"):
        pre.transform(np.zeros((2, 27, 28), np.uint8))
    with pytest.raises(InputError, match="0..255"):
        pre.transform(np.full((1, 784), 300.0))
    with pytest.raises(InputError, match="finite"):
        pre.transform(np.full((1, 784), np.nan))
