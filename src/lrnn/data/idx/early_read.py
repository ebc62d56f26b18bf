"""Reading an IDX dataset (MNIST, Fashion-MNIST) on a second thread while `lrnn train` imports
torch.

The import takes about 1.2 s of one core and reading MNIST about 0.2 s, nearly all of it
inflating gzip, which releases the GIL (idx.py inflates each file in one call). Started before
the import, the read is done by the time torch is (measured: files read 0.48 s after start,
the import no slower), so it costs no wall time. Only files already on disk are read early: a
download keeps its progress bar and Ctrl-C on the main thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..dataset import Dataset

_reads: dict[tuple[str, str | None], "_Read"] = {}


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
