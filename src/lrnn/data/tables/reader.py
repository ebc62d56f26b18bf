"""Read a CSV, TSV or Parquet file into an Arrow table, rejecting bad files with one line that
names the file, the line or column, what was expected and what was found.

pyarrow rather than pandas: it parses in parallel, reports malformed rows through a handler,
and keeps memory near the size of the parsed data; pandas is not needed.
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from ...errors import InputError

BLOCK_BYTES = 4 << 20  # pyarrow parses in blocks of this size; a line may span two at most
SNIFF_BYTES = 8192
BINARY_MAGIC = {b"\x1f\x8b": "gzip", b"\x89PNG": "PNG image", b"PK\x03\x04": "zip archive",
                b"%PDF": "PDF", b"PAR1": "Parquet (name it .parquet)"}
OTHER_DELIMITERS = (";", "\t", "|", ",")
# The name given to an unnamed first column of distinct whole numbers: the row index that
# pandas' to_csv writes by default. Column typing drops it.
ROW_INDEX = "(row index)"
# Missing-value markers beyond pyarrow's defaults ("", NA, N/A, NaN, null, ...): "?" is the
# UCI repository's.
EXTRA_MISSING = ("?",)
INTEGER_PATTERN = r"^[-+]?\d+$"
NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def line_of(row: int) -> int:
    """The file line of a data row (0-based), the header being line 1 (exact unless a quoted
    field spans lines)."""
    return row + 2


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: expected a data file, found a directory")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: no permission to read")


def _sniff_binary(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
    for magic, kind in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise InputError(f"{path}: expected a text CSV, found a binary file ({kind})")
    if b"\0" in head:
        raise InputError(f"{path}: expected a text CSV, found binary data (NUL bytes)")


def default_delimiter(path: Path) -> str:
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","


def read_table(path: str | Path, delimiter: str | None = None, encoding: str = "utf-8",
               decimal: str | None = None):
    """The file as a pyarrow Table (every column as parsed), after the checks above; numbers
    have `decimal` (default ".") as their decimal mark."""
    path = Path(path)
    _check_path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        table = _read_parquet(path)
    else:
        _sniff_binary(path)
        table = _read_csv(path, delimiter or default_delimiter(path), encoding, decimal or ".")
    table = _name_row_index(_trim_names(table))
    _check_header(path, table.column_names, delimiter or default_delimiter(path))
    if table.num_rows == 0:
        raise InputError(f"{path}: expected data rows after the header, found none")
    table = _tidy_text(table)
    _check_repeated_header(path, table)
    return table


def _trim_names(table):
    """Column names without surrounding spaces ("age, sex, label" headers are common)."""
    names = [name.strip() for name in table.column_names]
    return table if names == table.column_names else table.rename_columns(names)


def _name_row_index(table):
    import pyarrow as pa
    import pyarrow.compute as pc

    if not table.num_columns or table.column_names[0] or table.num_rows == 0:
        return table
    first = table.column(0)
    if (pa.types.is_integer(first.type) and first.null_count == 0
            and pc.count_distinct(first).as_py() == table.num_rows):
        return table.rename_columns([ROW_INDEX, *table.column_names[1:]])
    return table


def _tidy_text(table):
    """Text cells without surrounding spaces, the markers in EXTRA_MISSING as missing, and a
    text column whose every present cell is a number (a column of " 35" or with "?" for
    missing) as numbers. Only text columns are touched; a numeric file costs nothing here."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names, columns = table.column_names, table.columns
    for i, column in enumerate(columns):
        if not pa.types.is_string(column.type):
            continue
        text = pc.utf8_trim_whitespace(column)
        text = pc.if_else(pc.is_in(text, value_set=pa.array(EXTRA_MISSING)),
                          pa.scalar(None, pa.string()), text)
        columns[i] = _as_numbers(text) if len(text) > text.null_count else text
    return pa.table(columns, names=names)


def _as_numbers(text):
    """The column as int64 or float32 (as the reader would have typed it) when every present
    cell is a number; otherwise unchanged."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pc.all(pc.match_substring_regex(text, NUMBER_PATTERN)).as_py():
        return text
    if pc.all(pc.match_substring_regex(text, INTEGER_PATTERN)).as_py():
        try:
            return pc.cast(text, pa.int64())
        except pa.ArrowInvalid:  # beyond int64: a float as the reader would make it
            pass
    return pc.cast(text, pa.float32())


def _check_repeated_header(path: Path, table) -> None:
    """A header pasted again mid-file (concatenated CSVs) turns every column into text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    same = None
    for name, column in zip(table.column_names, table.columns):
        if not pa.types.is_string(column.type):
            return  # a column of numbers cannot hold its name
        equal = pc.fill_null(pc.equal(column, name), False)
        same = equal if same is None else pc.and_(same, equal)
    rows = pc.indices_nonzero(same)
    if len(rows):
        raise InputError(f"{path} line {line_of(rows[0].as_py())}: repeats the header; expected "
                         f"a data row")


def _read_parquet(path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return narrow_floats(pq.read_table(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None


def _csv_options(delimiter: str, encoding: str, decimal: str, column_types=None):
    import pyarrow.csv as pcsv

    # No invalid_row_handler: a Python callback there makes the process abort at exit now and
    # then when torch is loaded too ("terminate called without an active exception", seen
    # with pyarrow 26). A malformed row raises instead, and _bad_row finds its line.
    return dict(
        read_options=pcsv.ReadOptions(encoding=encoding, block_size=BLOCK_BYTES),
        parse_options=pcsv.ParseOptions(delimiter=delimiter),
        # "", NA, N/A, NaN, null, ... mean missing in text columns too, as in pandas
        convert_options=pcsv.ConvertOptions(strings_can_be_null=True, decimal_point=decimal,
                                            column_types=column_types or {}),
    )


def _read_csv(path: Path, delimiter: str, encoding: str, decimal: str):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InputError(f"--encoding {encoding}: unknown encoding") from None
    options = _csv_options(delimiter, encoding, decimal)
    try:
        table = _read_floats_as_float32(path, options, delimiter, encoding, decimal)
    except pa.ArrowInvalid as exc:
        if "conversion error" not in str(exc):
            raise _csv_error(path, delimiter, encoding, str(exc)) from None
        try:  # a later block did not fit the types seen in the first: type from all the data
            table = narrow_floats(pcsv.read_csv(path, **options))
        except pa.ArrowInvalid as retry:
            raise _csv_error(path, delimiter, encoding, str(retry)) from None
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_binary(column.type):
            raise _not_utf8(path, encoding, name)
    return table


def _read_floats_as_float32(path: Path, options: dict, delimiter: str, encoding: str,
                            decimal: str):
    """Read block by block, the columns typed from the first block, those of floats parsed
    straight into float32: on a 1,000,000 x 20 file 1.4 s of CPU where narrowing each block
    after parsing it as float64 took 2.6 s, and the peak stays near the narrowed table (a
    one-shot threaded read_csv peaked at 660 MB, 2.6x this way's 250 MB). The read is one
    thread; `lrnn train` runs it beside torch's import (early_read.py)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    reader = pcsv.open_csv(path, **options)  # parses the first block only
    schema = reader.schema
    reader.close()
    del reader  # a closed reader still held ~150 MB while the next one read the whole file
    floats = {field.name: pa.float32() for field in schema if pa.types.is_float64(field.type)}
    batches = list(pcsv.open_csv(path, **_csv_options(delimiter, encoding, decimal, floats)))
    if not batches:
        return schema.empty_table()
    return narrow_floats(pa.Table.from_batches(batches))


def narrow_floats(table):
    """float64 columns as float32, each original freed as soon as its copy exists: the model
    computes in float32, and this halves the memory of a large numeric file. Every reader of
    tables (training, test and predict files) goes through here, so they see the same values."""
    import pyarrow as pa

    names, columns = table.column_names, table.columns
    del table
    for i, column in enumerate(columns):
        if pa.types.is_float64(column.type):
            columns[i] = column.cast(pa.float32())
    return pa.table(columns, names=names)


def _csv_error(path: Path, delimiter: str, encoding: str, message: str) -> InputError:
    """Turn a pyarrow parse error into ours, finding the line when a row is malformed."""
    if "Empty CSV file" in message:
        return InputError(f"{path}: expected a header and data rows, found an empty file")
    if "straddles" in message:
        return InputError(f"{path}: a line spans more than the {BLOCK_BYTES >> 20} MiB read "
                          f"block; expected one row per line")
    if "Expected" in message and "columns" in message:
        return _bad_row(path, delimiter, encoding)
    return InputError(f"{path}: not a readable CSV ({message.splitlines()[0]})")


def _bad_row(path: Path, delimiter: str, encoding: str) -> InputError:
    """Stream the file with the csv module (only on this error path) to name the first row
    whose field count differs from the header's."""
    import csv

    with open(path, newline="", encoding=encoding, errors="replace") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            expected = len(next(reader))
            for row in reader:
                if row and len(row) != expected:
                    return InputError(f"{path} line {reader.line_num}: expected {expected} "
                                      f"fields, found {len(row)}")
        except csv.Error as exc:
            return InputError(f"{path} line {reader.line_num}: {exc} (an unterminated quote?)")
    return InputError(f"{path}: a row has a different number of fields than the header "
                      f"(an unterminated quote?)")


def _not_utf8(path: Path, encoding: str, column: str) -> InputError:
    line = _first_undecodable_line(path, encoding)
    where = f" line {line}" if line else ""
    return InputError(f"{path}{where}: column '{column}' is not valid {encoding} text; "
                      f"pass --encoding (for example latin-1 or cp1252)")


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
    return None


def _check_header(path: Path, names: list[str], delimiter: str) -> None:
    blank = [i + 1 for i, name in enumerate(names) if not name.strip()]
    if blank:
        raise InputError(f"{path}: column {blank[0]} has an empty name; expected a name for "
                         f"every column")
    seen = set()
    for name in names:
        if name in seen:
            raise InputError(f"{path}: column name '{name}' appears twice; expected unique names")
        seen.add(name)
    if len(names) == 1:
        for other in OTHER_DELIMITERS:
            if other != delimiter and other in names[0]:
                shown = "\\t" if other == "\t" else other
                raise InputError(f"{path}: found one column '{names[0][:60]}'; did you mean "
                                 f"--delimiter '{shown}'?")
