"""The table of `lrnn train --data FILE`, before torch is imported.

A small file (up to CHECK_NOW_BYTES) is read and typed at once, as the whole Dataset, so that a
bad file is refused before the import: a refusal took ~2 s of importing torch first, now
~0.3 s. A larger one is read on a thread while torch imports (early_read.py); its errors come
where the run loads it.
"""

from __future__ import annotations

from pathlib import Path

from . import early_read

CHECK_NOW_BYTES = 16 << 20  # read in ~0.1-0.2 s: little of the import's overlap is lost
_datasets: dict = {}  # RunConfig -> Dataset


def start_for(config) -> None:
    """Read config.data now if it is small (its errors are raised here), else start reading
    it on a thread. A missing path is left to the run, which refuses it in the same words."""
    path = Path(config.data)
    if not path.is_file():
        return
    if path.stat().st_size <= CHECK_NOW_BYTES:
        from .dataset import load_table_dataset

        _datasets[config] = load_table_dataset(config)
    else:
        early_read.start(path, config.delimiter, config.encoding, config.decimal)


def take_dataset(config):
    """The Dataset read at once for these settings, once; None if there is none."""
    return _datasets.pop(config, None)
