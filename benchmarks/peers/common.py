"""What every peer program shares: reading the MNIST IDX files with numpy alone (so a peer
does not lean on lrnn's reader), its command line, and the report lines the harness reads."""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

import numpy as np

REPORT_PREFIX = "@bench "
IDX_HEADER_BYTES = {1: 8, 3: 16}  # magic + one 4-byte size per dimension
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def read_idx(path: Path) -> np.ndarray:
    """A uint8 IDX file (images [N, 28, 28] or labels [N]), gzip-compressed or raw."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=IDX_HEADER_BYTES[ndim]).reshape(shape)


def load_split(data_dir: Path, part: str) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N, 28, 28], labels int64 [N]) of the 'train' or 'test' split."""
    images, labels = FILES[part]
    return read_idx(data_dir / images), read_idx(data_dir / labels).astype(np.int64)


def flat_pixels(images: np.ndarray, dtype=np.float64) -> np.ndarray:
    """[N, 28, 28] uint8 -> [N, 784] in [0, 1], as the peers' users write it (pixels / 255)."""
    return images.reshape(len(images), -1).astype(dtype) / 255


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data-dir", type=Path, required=True, help="folder holding the IDX files")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    return p


def report(**fields) -> None:
    """One measurement for the harness, stamped with the wall clock when it was known:
    `test_accuracy` (with `step` or `epoch`) as training goes, `final: true` at the end."""
    fields.setdefault("unix_time", time.time())
    print(REPORT_PREFIX + json.dumps(fields), flush=True)


def read_reports(stdout: str) -> list[dict]:
    return [json.loads(line[len(REPORT_PREFIX):]) for line in stdout.splitlines()
            if line.startswith(REPORT_PREFIX)]
