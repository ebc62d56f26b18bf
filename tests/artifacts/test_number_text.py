"""number_text.g6_bytes and repr_bytes against their oracles, Python's own "%.6g" and repr,
value by value."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn.artifacts.number_text import shortest
from lrnn.artifacts.number_text.g6 import WIDTH, g6_bytes
from lrnn.artifacts.number_text.shortest import REPR_WIDTH, repr_bytes

RNG = np.random.default_rng(20261202)
EDGES = [0.0, -0.0, 1.0, -1.0, 1e-5, 9.999995e-05, 9.99999e-05, 9.9999949e-05, 1e-4, 0.0001,
         999999.5, 999999.4, 999999.6, 9999995.0, 1e6, 123456.0, 120000.0, 100000.0, 1.5, 0.5,
         2.5, 0.1, 0.3, 1 / 3, 2 / 3, 0.000123456, 1.234565, 1.2345650000000001, 1e16, 1e22,
         1e23, 123456789.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e-280,
         1e-281, 1e280, 1e281, 9.9999995e279, np.nan, -np.nan, np.inf, -np.inf]


def texts(values: np.ndarray) -> list[str]:
    return [bytes(row).rstrip(b"\0").decode() for row in g6_bytes(values)]


def oracle(values: np.ndarray) -> list[str]:
    return ["%.6g" % v for v in np.asarray(values, dtype=np.float64).ravel()]


@pytest.mark.parametrize("values", [
    np.array(EDGES),
    RNG.random(100_000),  # probabilities
    RNG.dirichlet(np.full(10, 0.05), 10_000).ravel(),  # many tiny ones, as a softmax gives
    np.exp(RNG.normal(size=100_000) * 40) * RNG.choice([-1, 1], 100_000),
    RNG.uniform(1, 10, 100_000) * 10.0 ** RNG.integers(-320, 308, 100_000),  # every exponent
    np.round(RNG.random(100_000), 7),  # sixth-digit ties, as near as binary gets
    RNG.integers(0, 10**7, 100_000) / 10**7,
    RNG.integers(-10**9, 10**9, 100_000).astype(np.float64),
    RNG.random(100_000).astype(np.float32).astype(np.float64),
], ids=["edges", "uniform", "dirichlet", "lognormal", "exponents", "ties", "decimals",
        "integers", "float32"])
def test_every_value_reads_as_python_writes_it(values):
    got, want = texts(values), oracle(values)
    wrong = [(v, g, w) for v, g, w in zip(values.ravel(), got, want) if g != w]
    assert not wrong, wrong[:5]


def test_the_matrix_is_one_padded_row_a_value_in_the_arrays_order():
    values = np.array([[0.25, -1e-7], [3.0, np.nan]])
    out = g6_bytes(values)
    assert out.shape == (4, WIDTH) and out.dtype == np.uint8
    assert texts(values) == ["0.25", "-1e-07", "3", "nan"]
    assert (out[2, 1:] == 0).all()
    assert g6_bytes(np.empty(0)).shape == (0, WIDTH)


REPR_EDGES = EDGES + [0.2, 0.30000000000000004, 0.1 + 0.2, 1e15, 1e17, 9999999999999998.0,
                      99999999999999990.0, 123456789012345678.0, 1234567890123456.7, 4.35,
                      2.675, 1e-7, 9.999999999999999e-05, 2.225073858507201e-308, 0.25, 2.0,
                      2.0**-1074, 2.0**1023, 2.0**-1022, 1e300, 1e-300, 0.000123456789012345]


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.skipif(not shortest.REPR_IN_NUMPY, reason="long double of 64 bits or more")
@pytest.mark.parametrize("values", [
    np.array(REPR_EDGES),
    softmax(RNG.normal(size=(30_000, 10)) * 4).ravel(),  # as the runs' predictions.csv holds
    1 / (1 + np.exp(-RNG.normal(size=100_000) * 8)),  # sigmoid, many near 0 and 1
    RNG.random(100_000),
    np.exp(RNG.normal(size=100_000) * 40) * RNG.choice([-1, 1], 100_000),
    RNG.integers(0, 2**64, 200_000, dtype=np.uint64).view(np.float64),  # any bit pattern
    np.array([round(v, d) for v, d in zip(RNG.random(50_000).tolist(),
                                           RNG.integers(0, 17, 50_000).tolist())]),  # short
    RNG.integers(-10**6, 10**6, 50_000) / 10.0 ** RNG.integers(0, 9, 50_000),
    np.nextafter(10.0 ** np.arange(-300, 301), RNG.choice([0, np.inf], 601)),  # beside 10**k
    2.0 ** np.arange(-1074, 1024),  # powers of two: Python's, not the array's
    RNG.random(50_000).astype(np.float32).astype(np.float64),
], ids=["edges", "softmax", "sigmoid", "uniform", "lognormal", "bits", "rounded", "decimals",
        "beside-powers-of-ten", "powers-of-two", "float32"])
def test_repr_of_every_value_is_pythons(values):
    got = [bytes(row).rstrip(b"\0").decode() for row in repr_bytes(values)]
    wrong = [(v, g, repr(v)) for v, g in zip(values.ravel().tolist(), got) if g != repr(v)]
    assert not wrong, wrong[:5]


def test_repr_matrix_shape_and_chunks():
    """Values across several chunks keep their order; each row is one padded value."""
    values = RNG.random(2 * shortest.REPR_CHUNK + 7)
    out = repr_bytes(values.reshape(-1, 1))
    assert out.shape == (len(values), REPR_WIDTH) and out.dtype == np.uint8
    assert bytes(out[-1]).rstrip(b"\0").decode() == repr(float(values[-1]))
    assert repr_bytes(np.empty(0)).shape == (0, REPR_WIDTH)
