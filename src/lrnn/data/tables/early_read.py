"""Reading a large table file on a second thread while `lrnn train` imports torch
(early_check.py decides which files).

The import takes about 1.2 s of one core, during which the other would wait, and pyarrow
parses a CSV with the GIL released, so on a 1,000,000 x 20 file ~1.5 s of CPU no longer comes
after the import. The table is taken by the first load of the same file with the same reading
options; a reading error is raised there, as if the file were read then.
"""

from __future__ import annotations

from pathlib import Path

from ..background import Background

_reads: dict[tuple, Background] = {}


def _read(key: tuple) -> tuple:
    """(the table, the reader's warnings)."""
    from .reader import read_table

    notes: list[str] = []
    return read_table(*key, notes), notes


def _key(path, delimiter, encoding, decimal) -> tuple:
    return str(Path(path)), delimiter, encoding, decimal


def start(path, delimiter: str | None, encoding: str, decimal: str | None) -> None:
    key = _key(path, delimiter, encoding, decimal)
    if key not in _reads:
        _reads[key] = Background("lrnn-read-table", lambda: _read(key))


def take(path, delimiter: str | None, encoding: str, decimal: str | None, notes: list[str]):
    """The table read early (a pyarrow Table), its warnings added to `notes`, or None if none
    was started; its error, if reading failed."""
    read = _reads.pop(_key(path, delimiter, encoding, decimal), None)
    if read is None:
        return None
    table, found = read.result()
    notes += found
    return table
