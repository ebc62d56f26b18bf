"""Reading an IDX dataset (MNIST, Fashion-MNIST) on a second thread while `lrnn train` imports
torch, and one IDX file while `lrnn predict` imports numpy and the model.

The import takes about 1.2 s of one core and reading MNIST about 0.2 s, nearly all of it
inflating gzip, which releases the GIL (idx.py inflates each file in one call). Started before
the import, the read is done by the time torch is (measured: files read 0.48 s after start,
the import no slower), so it costs no wall time. Only files already on disk are read early: a
download keeps its progress bar and Ctrl-C on the main thread.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy: the file reads below start before it is imported
    from ..dataset import Dataset

_reads: dict[tuple[str, str | None], "_Read"] = {}
_files: dict[tuple[str, int, str], "_ReadFile"] = {}
# Larger files are read when needed: a big file that turns out not to be IDX (a gzipped CSV
# for a table model) is not read whole for nothing.
EARLY_FILE_BYTES = 64 * 2**20


class _Read(threading.Thread):
    def __init__(self, name: str, data_dir: str | None):
        super().__init__(name=f"lrnn-read-{name}", daemon=True)
        self.args = (name, data_dir)
        self.dataset: Dataset | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        from .locate import load_idx_dataset

        try:
            self.dataset = load_idx_dataset(*self.args)
        except BaseException as exc:  # raised where the dataset is taken
            self.error = exc


def start(name: str, data_dir: str | None) -> None:
    """Begin reading the dataset if its files are on disk (an IDX dataset only)."""
    from .locate import where_is
    from .registry import IDX_REGISTRY

    if name not in IDX_REGISTRY or (name, data_dir) in _reads:
        return
    if data_dir is None and where_is(name)[0] is None:
        return
    read = _Read(name, data_dir)
    _reads[(name, data_dir)] = read
    read.start()


def take(name: str, data_dir: str | None) -> Dataset | None:
    """The dataset read early, or None if none was started; its error, if reading failed."""
    read = _reads.pop((name, data_dir), None)
    if read is None:
        return None
    read.join()
    if read.error is not None:
        raise read.error
    return read.dataset


class _ReadFile(threading.Thread):
    """One IDX file's checked bytes (format.read_payload), read without numpy: `lrnn predict`
    starts it first, and inflating MNIST's 10,000 test images (~30 ms, GIL released) then runs
    beside the import of numpy (~70 ms) instead of after it."""

    def __init__(self, key: tuple[str, int, str]):
        super().__init__(name="lrnn-read-idx", daemon=True)
        self.key, self.payload, self.error = key, None, None

    def run(self) -> None:
        from .format import read_payload

        try:
            self.payload = read_payload(*self.key)
        except BaseException as exc:  # raised where the file is taken
            self.error = exc


def start_file(path, ndim: int, dtype: str = "u1") -> None:
    """Begin reading `path` as IDX if it may be one of at most EARLY_FILE_BYTES (the command
    may find it is not, or not needed: then nothing takes it and the read is dropped)."""
    import os

    key = (str(Path(path)), ndim, dtype)
    try:
        small = os.stat(key[0]).st_size <= EARLY_FILE_BYTES
    except (OSError, ValueError):  # the command's own open says what is wrong
        return
    if small and key not in _files:
        _files[key] = _ReadFile(key)
        _files[key].start()


def take_file(path, ndim: int, dtype: str):
    """(shape, bytes) of the file read early, None if none was started; its error if the read
    failed."""
    read = _files.pop((str(Path(path)), ndim, dtype), None)
    if read is None:
        return None
    read.join()
    if read.error is not None:
        raise read.error
    return read.payload
