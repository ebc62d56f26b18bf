"""erf and erfc in numpy (for the numpy forward pass's GELU) against the standard library
and scipy, and the GELU against torch.nn.GELU."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from lrnn.models.error_function import erf, erfc
from lrnn.models.activations import ACTIVATIONS

# every interval of the approximation and its edges, both signs, up to where erfc is 0
EDGES = [0.46875, 4.0, 27.5]
POINTS = np.concatenate([np.linspace(-28, 28, 56_001), [0.0, -0.0, 1e-300, -1e-300],
                         EDGES, np.negative(EDGES), np.nextafter(EDGES, 0),
                         np.nextafter(EDGES, 30)])


def _relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    normal = np.abs(reference) > np.finfo(np.float64).tiny  # subnormals hold few digits
    return float(np.max(np.abs(ours[normal] - reference[normal]) / np.abs(reference[normal])))


@pytest.mark.parametrize("ours, reference", [(erf, math.erf), (erfc, math.erfc)])
def test_matches_the_standard_library_to_float64_precision(ours, reference):
    expected = np.array([reference(v) for v in POINTS])
    assert _relative_error(ours(POINTS), expected) < 1.5e-15
    assert ours(POINTS).shape == POINTS.shape and ours(POINTS).dtype == np.float64


def test_random_values_in_any_shape():
    """erf as scipy.special.erf (what the GELU used before); erfc as the standard library's
    (scipy's erfc is off by up to ~1.5e-14 for large arguments, this one is not)."""
    from scipy import special

    x = np.random.default_rng(3).normal(size=(300, 70)) * 4
    assert erf(x).shape == erfc(x).shape == (300, 70)
    assert _relative_error(erf(x), special.erf(x)) < 1.5e-15
    expected = np.vectorize(math.erfc)(x)
    assert _relative_error(erfc(x), expected) < 1.5e-15


def test_special_values():
    x = np.array([np.inf, -np.inf, np.nan, 40.0, -40.0])
    np.testing.assert_array_equal(erf(x), [1, -1, np.nan, 1, -1])
    np.testing.assert_array_equal(erfc(x), [0, 2, np.nan, 0, 2])
    assert erfc(np.array([-6.0]))[0] == 2.0 - math.erfc(6.0)  # no cancellation to 2.0 - 0.0
    assert erf(np.empty(0)).shape == (0,)


def _gelu_inputs(dtype) -> np.ndarray:
    rng = np.random.default_rng(4)
    return np.concatenate([rng.normal(size=200_000) * 4, np.linspace(-12, 12, 48_001)]
                          ).astype(dtype)


def test_gelu_float32_agrees_with_torch_to_its_rounding():
    """Ours is the exact GELU rounded once to float32; torch's float32 erf is itself a few
    ulps off, so ours may differ from torch by torch's own error and one rounding, no more."""
    x = _gelu_inputs(np.float32)
    ours = ACTIVATIONS["gelu"].numpy(x)
    theirs = torch.nn.GELU()(torch.from_numpy(x)).numpy()
    exact = torch.nn.GELU()(torch.from_numpy(x.astype(np.float64))).numpy()
    assert ours.dtype == np.float32
    ulp = np.spacing(np.maximum(np.abs(theirs), np.abs(x))).astype(np.float64)
    torch_error = np.abs(theirs - exact)
    assert np.all(np.abs(ours - theirs.astype(np.float64)) <= torch_error + ulp)
    positive = x > 0  # no cancellation on either side: within a few ulps of torch
    assert np.max(np.abs(ours - theirs)[positive] / ulp[positive]) <= 8


def test_gelu_float64_agrees_with_torch():
    x = _gelu_inputs(np.float64)
    ours = ACTIVATIONS["gelu"].numpy(x)
    theirs = torch.nn.GELU()(torch.from_numpy(x)).numpy()
    assert ours.dtype == np.float64
    # torch computes 1 + erf(x), which cancels for negative x; erfc(-x) does not, so allow
    # torch's cancellation there (an absolute error of order |x| eps)
    bound = 4 * np.spacing(np.maximum(np.abs(theirs), np.abs(x)))
    assert np.all(np.abs(ours - theirs) <= bound)
