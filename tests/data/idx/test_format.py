"""The IDX reader on the real MNIST files, and every IDX bad input of RELIABILITY.md, both
through the reader and through the real CLI (exit 2, the message, nothing written)."""

from __future__ import annotations

import gzip
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from lrnn.data.idx.format import read_images, read_labels, read_pair
from lrnn.errors import InputError
from tests.conftest import lrnn_cli, snapshot


def idx_bytes(array: np.ndarray, type_code: int = 0x08, dims: tuple[int, ...] | None = None) -> bytes:
    dims = array.shape if dims is None else dims
    header = bytes([0, 0, type_code, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    return header + array.tobytes()


def raw_copy(src: Path, dst: Path) -> Path:
    with gzip.open(src, "rb") as f:
        dst.write_bytes(f.read())
    return dst


def test_reads_real_mnist_gz(mnist_dir):
    images = read_images(mnist_dir / "train-images-idx3-ubyte.gz")
    labels = read_labels(mnist_dir / "train-labels-idx1-ubyte.gz", 10)
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.int64
    assert labels[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first MNIST labels
    assert np.bincount(labels).tolist()[:2] == [5923, 6742]
    assert images.max() == 255 and images.min() == 0


def test_raw_and_gz_give_the_same_array(mnist_dir, tmp_path):
    gz = mnist_dir / "t10k-images-idx3-ubyte.gz"
    raw = raw_copy(gz, tmp_path / "t10k-images-idx3-ubyte")
    assert np.array_equal(read_images(gz), read_images(raw))


# --- bad files: each builds a broken IDX file and names the message it must produce --------

def _write(path: Path, data: bytes, compress: bool) -> Path:
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


IMAGES = np.zeros((4, 28, 28), dtype=np.uint8)
BAD_IMAGE_FILES = {
    "truncated payload": (idx_bytes(IMAGES)[:-100], "truncated"),
    "wrong magic": (b"\x12\x34" + idx_bytes(IMAGES)[2:], "magic number"),
    "wrong element type": (idx_bytes(IMAGES, type_code=0x0D), "element type"),
    "wrong number of dimensions": (idx_bytes(IMAGES.reshape(4, 784)), "expected 3 dimension"),
    "billions declared in a tiny file": (idx_bytes(IMAGES, dims=(2_000_000_000, 28, 28)),
                                         "declares"),
    "longer than declared": (idx_bytes(IMAGES) + b"\0" * 10, "header"),
    "empty": (b"", "at least 4 bytes"),
}


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("case", list(BAD_IMAGE_FILES))
def test_bad_image_file_is_rejected(tmp_path, case, compress):
    data, message = BAD_IMAGE_FILES[case]
    path = _write(tmp_path / "train-images-idx3-ubyte", data, compress)
    with pytest.raises(InputError, match=message) as err:
        read_images(path)
    assert str(path) in str(err.value)


def test_lying_header_does_not_allocate(tmp_path):
    # 2e9 * 784 bytes would be ~1.5 TB: the check must come before any allocation.
    path = _write(tmp_path / "x", idx_bytes(IMAGES, dims=(2_000_000_000, 28, 28)), True)
    with pytest.raises(InputError, match="declares"):
        read_images(path)


def test_labels_out_of_range(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx_bytes(np.array([1, 2, 12, 3], dtype=np.uint8)))
    with pytest.raises(InputError, match=r"label 12 at index 2 is out of range: expected 0\.\.9"):
        read_labels(path, 10)


def test_image_and_label_counts_must_match(tmp_path):
    images = tmp_path / "images"
    labels = tmp_path / "labels"
    images.write_bytes(idx_bytes(IMAGES))
    labels.write_bytes(idx_bytes(np.zeros(3, dtype=np.uint8)))
    with pytest.raises(InputError, match="expected one label per image .* found 3 labels"):
        read_pair(images, labels, 10)


def test_corrupt_gzip_stream(tmp_path, mnist_dir):
    data = bytearray((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())
    data[len(data) // 2] ^= 0xFF  # flip bits in the deflate stream
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="corrupt|truncated|header"):
        read_labels(path, 10)


def with_wrong_checksum(data: bytes) -> bytes:
    """`data` gzipped, its trailer's CRC-32 of the content zeroed."""
    compressed = bytearray(gzip.compress(data))
    compressed[-8:-4] = bytes(4)
    return bytes(compressed)


def test_gzip_checksum_mismatch_is_corrupt(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(with_wrong_checksum(idx_bytes(IMAGES)))
    with pytest.raises(InputError, match="corrupt gzip data"):
        read_images(path)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="directory"):
        read_images(tmp_path)
    with pytest.raises(InputError, match="not found"):
        read_images(tmp_path / "nope")


# --- the same cases through the CLI: exit 2, one line naming the file, nothing written -------

def _dataset_with(tmp_path: Path, mnist_dir: Path, name: str, data: bytes) -> Path:
    """A copy of MNIST's four files with one of them replaced by `data`."""
    folder = tmp_path / "data"
    folder.mkdir()
    for f in mnist_dir.iterdir():
        if f.name.removesuffix(".gz") != name:
            shutil.copy(f, folder / f.name)
    (folder / name).write_bytes(data)
    return folder


CLI_CASES = {
    "truncated images": ("train-images-idx3-ubyte", idx_bytes(IMAGES)[:-100], "truncated"),
    "wrong magic": ("t10k-images-idx3-ubyte", b"PK\x03\x04" + bytes(100), "magic number"),
    "wrong element type": ("train-labels-idx1-ubyte",
                           idx_bytes(np.zeros(3, np.int32).astype(">i4"), type_code=0x0C),
                           "element type"),
    "wrong dimensions": ("train-labels-idx1-ubyte", idx_bytes(np.zeros((2, 2), np.uint8)),
                         "dimension"),
    "billions declared": ("train-images-idx3-ubyte",
                          idx_bytes(IMAGES, dims=(3_000_000_000, 28, 28)), "declares"),
    "count mismatch": ("t10k-labels-idx1-ubyte", idx_bytes(np.zeros(7, np.uint8)),
                       "one label per image"),
    "gzip checksum wrong": ("t10k-labels-idx1-ubyte",
                            with_wrong_checksum(idx_bytes(np.zeros(10000, np.uint8))),
                            "corrupt gzip data"),
    "labels out of range": ("t10k-labels-idx1-ubyte",
                            idx_bytes(np.full(10000, 10, np.uint8)), "out of range"),
}


@pytest.mark.parametrize("case", list(CLI_CASES))
def test_cli_rejects_bad_idx(tmp_path, mnist_dir, case):
    name, data, message = CLI_CASES[case]
    folder = _dataset_with(tmp_path, mnist_dir, name, data)
    before = snapshot(tmp_path)
    result = lrnn_cli("train", "--dataset", "mnist", "--data-dir", str(folder),
                      "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and name in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before  # nothing written, no temporary file left
