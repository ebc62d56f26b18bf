"""Where a row of a table is, said the way its format counts: a line of a text file, a row of
a Parquet file or of a table in memory."""

from __future__ import annotations

from pathlib import Path

PARQUET_SUFFIXES = (".parquet", ".pq")

# The names of CSVs held in memory (a request body), counted by line as a .csv file is although
# the name has no suffix; in_memory.InMemoryCsv adds its name here.
TEXT_NAMES: set[str] = set()


def is_parquet(source: str | Path) -> bool:
    return Path(str(source)).suffix.lower() in PARQUET_SUFFIXES


def at_row(source: str, row: int) -> str:
    """Where a data row (0-based) is, for a message: the line of a text file (the header being
    line 1; exact unless a quoted field spans lines), the row number (from 1) of a Parquet
    file or of a table in memory."""
    if source in TEXT_NAMES or (Path(str(source)).suffix and not is_parquet(source)):
        return f"{source} line {row + 2}"
    return f"{source} row {row + 1}"
