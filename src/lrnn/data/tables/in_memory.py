"""A CSV held in memory (the body of an HTTP request), which tabular.read_table reads as it
reads a .csv file."""

from __future__ import annotations

import io


class InMemoryCsv:
    """The bytes of a CSV; `name` stands for the file's path in errors."""

    suffix = ".csv"  # read as a .csv file is (comma-separated unless told otherwise)

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name

    def __str__(self) -> str:
        return self.name


def open_file(path, encoding: str | None = None, **text):
    """A path or an InMemoryCsv opened for reading: binary, or text with `encoding`."""
    if not isinstance(path, InMemoryCsv):
        return open(path, "r" if encoding else "rb", encoding=encoding, **text)
    data = io.BytesIO(path.data)
    return io.TextIOWrapper(data, encoding=encoding, **text) if encoding else data


def arrow_source(path):
    """What pyarrow's CSV reader takes: the path itself (it reads files faster than through a
    Python file object), or a buffer over the bytes."""
    import pyarrow as pa

    return pa.BufferReader(path.data) if isinstance(path, InMemoryCsv) else path
