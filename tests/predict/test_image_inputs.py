"""Bad .npy inputs to `lrnn predict` on an image model (predict/image_inputs.py): each is one
line that names the file, with nothing else on stderr (no numpy warnings), and a header that
declares more than the file holds is refused before anything of that size is allocated."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import lrnn_cli, refused, snapshot


def lying_header(path, shape):
    """A valid .npy header declaring `shape`, followed by 100 bytes."""
    from numpy.lib import format as npy_format

    with open(path, "wb") as f:
        npy_format.write_array_header_1_0(f, {"descr": "|u1", "fortran_order": False,
                                              "shape": shape})
        f.write(bytes(100))


CASES = {
    "truncated": (lambda p: lying_header(p, (5, 28, 28)),
                  "x.npy: its header declares an array of shape (5, 28, 28) (3,920 bytes), "
                  "found 100 bytes of data"),
    "a header declaring 10^12 pixels": (lambda p: lying_header(p, (10**6, 1000, 1000)),
                                        "(1,000,000,000,000 bytes), found 100 bytes"),
    "huge floats": (lambda p: np.save(p, np.full((2, 28, 28), 1e300)),
                    "x.npy: expected pixel values in 0..255 (or 0..1), found 1e+300..1e+300"),
    "NaN": (lambda p: np.save(p, np.full((2, 28, 28), np.nan)),
            "x.npy: expected finite pixel values, found NaN or infinity"),
    "the wrong shape": (lambda p: np.save(p, np.zeros((2, 5, 5))),
                        "x.npy: expected images of 28x28 pixels, found an array of shape "
                        "(2, 5, 5)"),
    "complex numbers": (lambda p: np.save(p, np.zeros((2, 28, 28), np.complex64)),
                        "x.npy: expected a numeric array, found dtype complex64"),
    "not an array": (lambda p: p.write_bytes(b"\x93NUMPY\x01\x00garbage"),
                     "x.npy: not a readable .npy array"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_npy_input(mnist_logreg_run, tmp_path, case):
    make, message = CASES[case]
    make(tmp_path / "x.npy")
    before = snapshot(tmp_path)
    refused(lrnn_cli("predict", str(mnist_logreg_run), str(tmp_path / "x.npy"), "-o",
                     str(tmp_path / "p.csv")), 2, message)
    assert snapshot(tmp_path) == before
