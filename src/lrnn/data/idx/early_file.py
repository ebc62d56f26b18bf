"""One IDX file read on a second thread while `lrnn predict` imports numpy and the model.

Inflating MNIST's 10,000 test images takes ~30 ms, with the GIL released (format.py inflates
in one zlib call), and importing numpy ~70 ms: started first, the read runs beside the import
instead of after it. The bytes are read and checked without numpy (format.read_payload), the
array made when the file is taken. A file that turns out not to be needed (a table model's
input) is never taken, and only files up to EARLY_FILE_BYTES are read early, so a large file
that is not IDX is not read whole for nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..background import Background
from .format import as_array, read_payload

EARLY_FILE_BYTES = 64 * 2**20
_reads: dict[tuple[str, int, str], Background] = {}


def start(path, ndim: int, dtype: str = "u1") -> None:
    """Begin reading `path` as IDX, if it is a file of at most EARLY_FILE_BYTES."""
    key = (str(Path(path)), ndim, dtype)
    try:
        small = os.stat(key[0]).st_size <= EARLY_FILE_BYTES
    except (OSError, ValueError):  # the command's own open says what is wrong
        return
    if small and key not in _reads:
        _reads[key] = Background("lrnn-read-idx", lambda: read_payload(*key))


def read_idx(path, ndim: int, dtype: str = "u1"):
    """format.read_idx, from the early read if one was started (its error, if it failed)."""
    read = _reads.pop((str(Path(path)), ndim, dtype), None)
    payload = read_payload(path, ndim, dtype) if read is None else read.result()
    return as_array(*payload, dtype)
