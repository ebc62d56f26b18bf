"""Rows of a table file for a saved table model, checked against the run's schema before
anything is computed: every column the model reads must be there (in any order); columns it
does not know are ignored with a warning."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import InputError


DEFAULT_ENCODING = "utf-8"


class FileFormat(NamedTuple):
    """How a table file is written (`--delimiter`, `--decimal`, `--encoding`). Not a
    dataclass: making one is ~0.7 ms of every `lrnn predict`."""

    delimiter: str | None = None
    decimal: str = "."
    encoding: str = DEFAULT_ENCODING

    def read(self, path, console=None):
        """The table in `path`; the reader's warnings go to `console`."""
        from ..data.tables.reader import read_table

        notes: list[str] = []
        table = read_table(path, self.delimiter, self.encoding, self.decimal, notes)
        for note in notes if console is not None else ():
            console.warn(note)
        return table


def table_rows(predictor, path, fmt: FileFormat, console):
    """(features [N, F] as the model takes them, (id column, its values) or None)."""
    table = fmt.read(path, console)
    schema = predictor.info["input_schema"]
    needed = predictor.preprocessor.input_columns
    present = set(table.column_names)
    missing = [c for c in needed if c not in present]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)}; expected every column "
                         f"the model was trained on")
    known = set(needed) | {schema.get("id_column"), schema.get("target")} | set(schema["dropped"])
    extra = [c for c in table.column_names if c not in known]
    if extra:
        console.warn(f"{path}: ignoring columns the model does not know: {', '.join(extra)}")
    X, notes = predictor.preprocessor.transform_with_notes(table, path)
    for note in notes:
        console.warn(f"{path}: {note}")
    id_column = schema.get("id_column")
    if id_column and id_column not in present:
        console.warn(f"{path}: no id column '{id_column}'; predictions follow the input's row "
                     f"order")
        id_column = None
    if id_column:
        from ..data.tables.arrow_types import check_usable

        check_usable(table.column(id_column), id_column, str(path), fitting=False)
    ids = (id_column, table.column(id_column).to_pylist()) if id_column else None
    return X, ids


def labelled_table(predictor, path, fmt: FileFormat, run_name: str, target: str | None = None,
                   console=None):
    """(the table, its target column as class indices) of a labelled file, for scoring;
    `target` names the column of true classes (default: the run's own target column)."""
    from ..data.tables.dataset import encode_target

    target = target or predictor.info["input_schema"].get("target")
    if not target:
        columns = predictor.preprocessor.input_columns
        shown = ", ".join(columns[:4]) + (", ..." if len(columns) > 4 else "")
        raise InputError(f"--data {path}: {run_name} was not trained on a file, so it names no "
                         f"target column; pass --target COLUMN (the file needs the columns "
                         f"{shown})")
    table = fmt.read(path, console)
    if target not in table.column_names:
        raise InputError(f"{path}: no target column '{target}' to score against; columns: "
                         f"{', '.join(table.column_names[:20])}")
    y = encode_target(table.column(target), list(predictor.classes), target, str(path))
    return table, np.asarray(y)
