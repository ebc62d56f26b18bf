"""`lrnn train --data FILE` reads and checks a small table before torch is imported, so that a
bad file is refused at once: a refusal took ~2 s of importing torch first (most of a 2-core
machine's second), now ~0.3 s. The Dataset is kept for the run to take (data.load); a file
above EARLY_BYTES is read where it always was, after the import (a refusal then waits for
it, which a large file's read would take anyway)."""

from __future__ import annotations

from pathlib import Path

from ..dataset import Dataset

EARLY_BYTES = 64 << 20
_read: dict = {}  # config -> Dataset


def read_now(config) -> None:
    """Read config.data now if it is a small file; its errors are raised here."""
    from .dataset import load_table_dataset

    path = Path(config.data)
    if not path.is_file() or path.stat().st_size > EARLY_BYTES:
        return  # a missing path is refused where it is read, in the same words
    _read[config] = load_table_dataset(config)


def take(config) -> Dataset | None:
    """The Dataset read early for these settings, once; None if there is none."""
    return _read.pop(config, None)
