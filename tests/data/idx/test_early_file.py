"""One IDX file read on a thread while `lrnn predict` imports numpy (data/idx/early_file.py):
the same array as reading it then, taken once, its errors raised where it is taken, and a
bad file refused by the CLI with the same line as before."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn.data.idx import early_file
from lrnn.data.idx.format import read_images
from lrnn.errors import InputError
from tests.conftest import lrnn_cli, refused, snapshot
from tests.data.idx.test_format import BAD_IMAGE_FILES, _write


def test_the_early_read_is_the_normal_read_and_is_taken_once(mnist_dir):
    path = mnist_dir / "t10k-images-idx3-ubyte.gz"
    early_file.start(path, 3)
    assert list(early_file._reads) == [(str(path), 3, "u1")]  # begun, not yet taken
    early = early_file.read_idx(path, 3)
    np.testing.assert_array_equal(early, read_images(path))
    assert early.shape == (10_000, 28, 28) and early.flags.writeable
    assert early_file._reads == {}  # taken: the next read is a new one


@pytest.mark.parametrize("case", ["truncated payload", "wrong magic", "empty"])
def test_an_early_reads_error_is_raised_where_it_is_taken(tmp_path, case):
    data, message = BAD_IMAGE_FILES[case]
    path = _write(tmp_path / "x-idx3-ubyte", data, compress=True)
    early_file.start(path, 3)
    assert (str(path), 3, "u1") in early_file._reads  # the error comes from the early read
    with pytest.raises(InputError, match=message) as err:
        early_file.read_idx(path, 3)
    assert str(path) in str(err.value)


def test_large_files_are_left_for_later(tmp_path, monkeypatch):
    monkeypatch.setattr(early_file, "EARLY_FILE_BYTES", 10)
    path = _write(tmp_path / "x-idx3-ubyte", BAD_IMAGE_FILES["empty"][0] + bytes(100), False)
    early_file.start(path, 3)
    assert early_file._reads == {}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
def test_predict_refuses_a_truncated_idx_file_as_before(mnist_logreg_run, tmp_path, compress):
    path = _write(tmp_path / "x-idx3-ubyte", BAD_IMAGE_FILES["truncated payload"][0], compress)
    before = snapshot(tmp_path)
    line = refused(lrnn_cli("predict", str(mnist_logreg_run), str(path), "-o",
                            str(tmp_path / "p.csv")), 2, f"{path}: ")
    assert "truncated" in line
    assert snapshot(tmp_path) == before
