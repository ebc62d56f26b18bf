"""A CSV held in memory (the body of an HTTP request), which reader.read_table reads as it
reads a .csv file."""

from __future__ import annotations

from .locations import TEXT_NAMES


class InMemoryCsv:
    """The bytes of a CSV; `name` stands for the file's path in errors."""

    suffix = ".csv"  # read as a .csv file is (comma-separated unless told otherwise)

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name
        TEXT_NAMES.add(name)

    def __str__(self) -> str:
        return self.name
