"""Rows for a table model: JSON row objects or a text/csv body, turned into the typed columns
that `lrnn predict` reads from a CSV file, then into features by the run's own preprocessor.

A CSV body goes through lrnn's table reader as it is. JSON rows are typed as a CSV read
would type the same cells: a column of whole numbers is int64, one with any fraction float32
(the reader narrows floats), a column of known levels text. Cells whose typing by the reader
is not that plain (text with digits, which may read as numbers or dates; markers such as "NA"
that read as missing; true/false) are written out as a one-column CSV and read by the same
reader, so that each column comes out exactly as it would from a file.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np

from ._lrnn import EXTRA_MISSING, NUMBER_PATTERN, InMemoryCsv, InputError, as_text, read_table
from .request_error import UNPROCESSABLE, RequestError

BODY = "request body"
ROWS = "instances"
_NUMBER = re.compile(NUMBER_PATTERN)
_LINE = re.compile(rf"^{ROWS} line (\d+)")


def _reader_special() -> frozenset[str]:
    """Text the CSV reader does not keep as text: missing-value markers, true/false, and
    the spellings of infinity and NaN it parses as floats."""
    import pyarrow.csv as pcsv

    options = pcsv.ConvertOptions()
    floats = {f"{s}{w}" for s in ("", "-", "+") for w in ("inf", "infinity", "nan")}
    return frozenset([*options.null_values, *options.true_values, *options.false_values,
                      *EXTRA_MISSING]) | frozenset(floats)


SPECIAL = _reader_special()


def csv_table(body: bytes, encoding: str = "utf-8"):
    """A text/csv body as lrnn's table reader reads a file."""
    return read_table(InMemoryCsv(body, BODY), ",", encoding)


def _cell_error(index: int, name: str, expected: str, value) -> RequestError:
    found = _kind(value) if value is None or isinstance(value, (list, dict)) else repr(value)
    return RequestError(UNPROCESSABLE, f"{ROWS}[{index}], column '{name}': expected {expected}, "
                                       f"found {found}")


def _numeric(values: list, name: str, nullable: bool):
    """int64 or float32 as the reader types a column of these numbers; None when a cell is
    text the reader must type (dates, numbers in quotes)."""
    import pyarrow as pa

    whole = True
    for i, v in enumerate(values):
        if v is None:
            if not nullable:
                raise _cell_error(i, name, "a number (this model takes no missing values)", v)
        elif isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise _cell_error(i, name, "a number", v)
        elif isinstance(v, str):
            return None
        elif isinstance(v, float):
            whole = False
    if whole:
        try:
            return pa.array(values, pa.int64())
        except OverflowError:  # beyond int64: the reader makes it a float
            pass
    return pa.array([None if v is None else float(v) for v in values], pa.float64()).cast(
        pa.float32())


def _plain_text(value: str, levels: frozenset[str]) -> bool:
    """Text that the reader keeps as this very text."""
    if value in SPECIAL or value != value.strip() or not value:
        return False
    if any(ch.isdigit() for ch in value):  # a number, a date or a time of day to the reader
        return value in levels and not value[0].isdigit() and not _NUMBER.match(value)
    return True


def _categorical(values: list, name: str, levels: frozenset[str]):
    import pyarrow as pa

    text = []
    for i, v in enumerate(values):
        if v is None:
            text.append(None)
        elif isinstance(v, bool) or isinstance(v, float):
            return None
        elif isinstance(v, int):
            text.append(str(v))  # the reader's int64, as the preprocessor writes it as text
        elif isinstance(v, str):
            if not _plain_text(v, levels):
                return None
            text.append(v)
        else:
            raise _cell_error(i, name, "a category (text or a number) or null", v)
    return pa.array(text, pa.string())


def _read_as_csv(columns: dict[str, list]):
    """Columns whose cells only the reader can type: written as a CSV and read back. A first
    column of row numbers keeps the reader's checks on one-column files and repeated headers
    from misreading the cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    row_number = "(row)"
    while row_number in columns:
        row_number += "'"
    writer.writerow([row_number, *columns])
    for i, row in enumerate(zip(*columns.values())):
        writer.writerow([i] + ["" if v is None else repr(v) if isinstance(v, float) else
                               ("true" if v else "false") if isinstance(v, bool) else v
                               for v in row])
    try:
        return read_table(InMemoryCsv(buffer.getvalue().encode("utf-8"), ROWS))
    except InputError as exc:
        raise RequestError(UNPROCESSABLE, rows_named(str(exc))) from None


def rows_named(message: str) -> str:
    """A reader's "instances line N" (the header is line 1) as the row's index."""
    return _LINE.sub(lambda m: f"{ROWS}[{int(m.group(1)) - 2}]", message)


def _check_rows(rows: list) -> None:
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise RequestError(UNPROCESSABLE, f"{ROWS}[{i}]: expected an object of column "
                                              f"values, found {_kind(row)}")


def _kind(value) -> str:
    return {list: "a list", dict: "an object", str: "text", bool: "true/false",
            type(None): "null"}.get(type(value), "a number")


def json_table(model, rows: list, warnings: list[str]):
    """The model's columns from JSON row objects; a key missing from a row is a missing value."""
    import pyarrow as pa

    _check_rows(rows)
    names = [c["name"] for c in model.columns]
    present = set().union(*(row.keys() for row in rows))
    extra = sorted(present - set(names) - model.known_extra)
    if extra:
        warnings.append(f"ignoring columns the model does not know: {', '.join(extra)}")
    absent = [n for n in names if n not in present]
    if absent and model.kind == "matrix":
        raise RequestError(UNPROCESSABLE, f"{ROWS}: missing columns {', '.join(absent)}; "
                                          f"expected every column the model was trained on")
    if absent:
        warnings.append(f"columns in no row, taken as missing values: {', '.join(absent)}")
    typed, by_reader = {}, {}
    for col in model.columns:
        values = [row.get(col["name"]) for row in rows]
        if col["type"] == "number":
            array = _numeric(values, col["name"], col["missing"])
        else:
            array = _categorical(values, col["name"], frozenset(col["levels"]))
        typed[col["name"]] = array
        if array is None:
            by_reader[col["name"]] = values
    if by_reader:
        read = _read_as_csv(by_reader)
        typed.update({name: read.column(name) for name in by_reader})
    return pa.table(typed)


def table_features(model, table, source: str, warnings: list[str]) -> np.ndarray:
    """Features of a table's rows, checked against the run's schema as `lrnn predict` checks
    a file; the notes it prints become warnings."""
    pre = model.predictor.preprocessor
    missing = [c for c in pre.input_columns if c not in table.column_names]
    if missing:
        raise RequestError(UNPROCESSABLE, f"{source}: missing columns {', '.join(missing)}; "
                                          f"expected every column the model was trained on")
    if source == BODY:
        extra = [c for c in table.column_names
                 if c not in set(pre.input_columns) | model.known_extra]
        if extra:
            warnings.append(f"ignoring columns the model does not know: {', '.join(extra)}")
    if pre.kind == "matrix":
        _check_complete(table, pre.input_columns, source)
    try:
        X, notes = pre.transform_with_notes(table, source)
    except InputError as exc:
        raise RequestError(UNPROCESSABLE, rows_named(str(exc))) from None
    warnings.extend(notes)
    return X


def _plain(model, table):
    """The request's columns as one batch can hold them, without changing what encoding them
    gives: numbers as float64 (which check_numbers makes of them anyway), categories as the
    text the preprocessor makes of this request's own column; None when a column holds what
    only its own encoding handles (dates, text in a number column)."""
    import pyarrow as pa

    columns = {}
    for col in model.columns:
        column = table.column(col["name"])
        if col["type"] == "category":
            columns[col["name"]] = as_text(column)
        elif column.type in (pa.int64(), pa.float32(), pa.float64(), pa.null()):
            columns[col["name"]] = column.cast(pa.float64())
        else:
            return None
    return pa.table(columns)


def encode_together(model, readings: list) -> None:
    """The features of several requests' JSON rows from one pass of the preprocessor: each
    row is encoded on its own (scaling and one-hot columns), so they are the features each
    request gets alone; a pass that has notes for the warnings, or fails, is dropped and each
    request is encoded alone, so that its warnings are its own."""
    import pyarrow as pa

    chosen = [(reading, _plain(model, reading.table)) for reading in readings]
    chosen = [(reading, table) for reading, table in chosen if table is not None]
    if len(chosen) < 2:
        return
    batch = pa.concat_tables([table for _, table in chosen])
    try:
        if model.kind == "matrix":
            _check_complete(batch, model.predictor.preprocessor.input_columns, ROWS)
        X, notes = model.predictor.preprocessor.transform_with_notes(batch, ROWS)
    except (InputError, RequestError):
        return
    if notes:
        return
    start = 0
    for reading, table in chosen:
        reading.X = X[start:start + table.num_rows]
        start += table.num_rows


def _check_complete(table, columns: list[str], source: str) -> None:
    """An estimator's model takes numbers in every cell: name the first gap or text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in columns:
        column = table.column(name)
        if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
            raise RequestError(UNPROCESSABLE, f"{source}, column '{name}': expected numbers, "
                                              f"found {column.type}")
        if column.null_count:
            row = pc.indices_nonzero(pc.is_null(column))[0].as_py()
            where = f"line {row + 2}" if source == BODY else f"[{row}]"
            raise RequestError(UNPROCESSABLE, f"{source}{' ' if source == BODY else ''}{where}, "
                                              f"column '{name}': expected a number (this model "
                                              f"takes no missing values), found an empty cell")
