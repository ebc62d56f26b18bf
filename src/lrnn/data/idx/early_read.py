"""Reading an IDX dataset (MNIST, Fashion-MNIST) on a second thread while `lrnn train` imports
torch.

The import takes about 1.2 s of one core and reading MNIST about 0.2 s, nearly all of it
inflating gzip, which releases the GIL (idx.py inflates each file in one call). Started before
the import, the read is done by the time torch is (measured: files read 0.48 s after start,
the import no slower), so it costs no wall time. Only files already on disk are read early: a
download keeps its progress bar and Ctrl-C on the main thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..background import Background

if TYPE_CHECKING:
    from ..dataset import Dataset

_reads: dict[tuple[str, str | None], Background] = {}


def _load(name: str, data_dir: str | None):
    from .locate import load_idx_dataset

    return load_idx_dataset(name, data_dir)


def start(name: str, data_dir: str | None) -> None:
    """Begin reading the dataset if its files are on disk (an IDX dataset only)."""
    from .locate import where_is
    from .registry import IDX_REGISTRY

    if name not in IDX_REGISTRY or (name, data_dir) in _reads:
        return
    if data_dir is None and where_is(name)[0] is None:
        return
    _reads[(name, data_dir)] = Background(f"lrnn-read-{name}", lambda: _load(name, data_dir))


def take(name: str, data_dir: str | None) -> Dataset | None:
    """The dataset read early, or None if none was started; its error, if reading failed."""
    read = _reads.pop((name, data_dir), None)
    return None if read is None else read.result()
