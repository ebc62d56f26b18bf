"""Read a CSV, TSV or Parquet file into an Arrow table, rejecting bad files with one line that
names the file, the line or column, what was expected and what was found.

pyarrow rather than pandas: it parses in parallel, reports malformed rows through a handler,
and keeps memory near the size of the parsed data; pandas is not needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from ...artifacts.safe_io import open_regular
from ...errors import InputError
from . import text_files
from .arrow_types import narrow_floats, normalize
from .csv_blocks import stream_csv
from .in_memory import InMemoryCsv
from .locations import at_row, is_parquet

BLOCK_BYTES = 4 << 20  # pyarrow parses in blocks of this size; a line may span two at most
OTHER_DELIMITERS = (";", "\t", "|", ",")
# The name given to an unnamed first column of distinct whole numbers: the row index that
# pandas' to_csv writes by default. Column typing drops it.
ROW_INDEX = "(row index)"
# What a text cell holds to mean "missing", in every format (CSV, TSV, Parquet), once the
# spaces around it are trimmed: pyarrow's markers for CSV, and "?" (the UCI repository's).
PYARROW_MISSING = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                   "1.#IND", "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null")
EXTRA_MISSING = ("?",)
MISSING_MARKERS = PYARROW_MISSING + EXTRA_MISSING
MISSING_SHOWN = "'', NA, N/A, NaN, null, ? and the like"
INTEGER_PATTERN = r"^[-+]?\d+$"
NUMBER_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
HEX_PATTERN = r"^\s*[-+]?0[xX][0-9a-fA-F]+\s*$"


def read_table(path: str | Path, delimiter: str | None = None, encoding: str = "utf-8",
               decimal: str | None = None, notes: list[str] | None = None):
    """The file as a pyarrow Table (every column as parsed), after the checks above; numbers
    have `decimal` (default ".") as their decimal mark. The file is opened once (a regular
    file: never a FIFO or a device) and every read goes through that one file object.
    Warnings worth showing are appended to `notes`. `path` may be an InMemoryCsv (the body of
    an HTTP request), read as a .csv file is."""
    path = path if isinstance(path, InMemoryCsv) else Path(path)
    with _open(path) as f:
        if is_parquet(path):
            table = _read_parquet(arrow_source(f, path), path)
        else:
            text_encoding = text_files.text_encoding(encoding)
            text_files.sniff(f, path, text_encoding)
            table = _read_csv(f, path, delimiter or default_delimiter(path), text_encoding,
                              decimal or ".", notes)
    table = _name_row_index(_trim_names(normalize(table)))
    _check_header(path, table.column_names, delimiter or default_delimiter(path))
    if table.num_rows == 0:
        raise InputError(f"{path}: expected data rows after the header, found none")
    table = _tidy_text(table, str(path))
    _check_repeated_header(path, table)
    return table


def _open(path) -> BinaryIO:
    """The data as one binary file object, every read of it through that object: a regular
    file (safe_io: never a FIFO or a device), or the bytes of an InMemoryCsv."""
    if isinstance(path, InMemoryCsv):
        import io

        return io.BytesIO(path.data)
    return open_regular(path, "a data file (.csv, .tsv or .parquet)")


def arrow_source(f: BinaryIO, path: Path):
    """What pyarrow reads, with its own native reads, for the very file `f` is: its
    descriptor's entry in /proc/self/fd (no race with a file swapped for a FIFO meanwhile),
    or `path` where there is none; the bytes of a file object in memory. pyarrow reading
    through a Python file object instead made the process abort at exit after a parse error
    ("terminate called without an active exception": its read-ahead thread calls back into
    Python)."""
    import io

    try:
        fd = f.fileno()
    except (OSError, io.UnsupportedOperation):
        import pyarrow as pa

        return pa.BufferReader(f.getvalue())
    fd_path = Path(f"/proc/self/fd/{fd}")
    return str(fd_path) if fd_path.exists() else str(path)


def default_delimiter(path: Path) -> str:
    return "\t" if path.suffix.lower() in (".tsv", ".tab") else ","


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


def _tidy_text(table, source: str):
    """Text cells without surrounding spaces, the MISSING_MARKERS as missing, and a text column
    whose every present cell is a number (a column of " 35" or with "?" for missing) as
    numbers; a NUL character in a cell is refused. Only text columns are touched, the same way
    for every format; a numeric file costs nothing here."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names, columns = table.column_names, table.columns
    markers = pa.array(MISSING_MARKERS)
    for i, column in enumerate(columns):
        if not pa.types.is_string(column.type):
            continue
        text = pc.utf8_trim_whitespace(column)
        text = pc.if_else(pc.is_in(text, value_set=markers), pa.scalar(None, pa.string()), text)
        nul = pc.indices_nonzero(pc.fill_null(pc.match_substring(text, "\0"), False))
        if len(nul):
            raise InputError(f"{at_row(source, nul[0].as_py())}, column '{names[i]}': a NUL "
                             f"character inside a cell; expected text")
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
    return narrow_floats(pa.table([pc.cast(text, pa.float64())], names=["c"]), "").column(0)


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
        raise InputError(f"{at_row(str(path), rows[0].as_py())}: repeats the header; expected "
                         f"a data row")


def _read_parquet(source: str, path: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(source)
    except (pa.ArrowException, OSError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise InputError(f"{path}: not a readable Parquet file ({first})") from None
    return narrow_floats(table, str(path))


def _csv_options(delimiter: str, encoding: str, decimal: str):
    import pyarrow.csv as pcsv

    # No invalid_row_handler: a Python callback there makes the process abort at exit now and
    # then when torch is loaded too ("terminate called without an active exception", seen
    # with pyarrow 26). A malformed row raises instead, and bad_row finds its line.
    return dict(
        read_options=pcsv.ReadOptions(encoding=encoding, block_size=BLOCK_BYTES),
        parse_options=pcsv.ParseOptions(delimiter=delimiter),
        # the markers mean missing in text columns too, as in pandas
        convert_options=pcsv.ConvertOptions(strings_can_be_null=True, decimal_point=decimal,
                                            null_values=list(PYARROW_MISSING)),
    )


def _read_csv(f: BinaryIO, path: Path, delimiter: str, encoding: str, decimal: str,
              notes: list[str] | None):
    import pyarrow as pa
    import pyarrow.csv as pcsv

    options = _csv_options(delimiter, encoding, decimal)
    try:
        try:
            table = stream_csv(lambda: arrow_source(f, path), str(path), options)
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc):
                raise _csv_error(f, path, delimiter, encoding, str(exc)) from None
            # a later block did not fit the types seen in the first: type from all the data
            table = narrow_floats(pcsv.read_csv(arrow_source(f, path), **options), str(path))
    except UnicodeError:  # decoding inside pyarrow's reader
        raise text_files.not_text(f, path, encoding, None) from None
    except pa.ArrowInvalid as retry:
        raise _csv_error(f, path, delimiter, encoding, str(retry)) from None
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_binary(column.type):
            raise text_files.not_text(f, path, encoding, name)
    if notes is not None and text_files.holds_hex(f):
        notes += [f"{path}: {note}" for note in _hex_notes(arrow_source(f, path), table,
                                                          options)]
    return table


def _hex_notes(source: str, table, options: dict) -> list[str]:
    """A warning for each integer column where pyarrow read hexadecimal numbers (0x10: 16);
    only when the file holds "0x" at all."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    ints = [n for n, c in zip(table.column_names, table.columns) if pa.types.is_integer(c.type)]
    if not ints:
        return []
    convert = pcsv.ConvertOptions(column_types={n: pa.string() for n in ints},
                                  include_columns=ints, strings_can_be_null=True)
    raw = pcsv.read_csv(source, read_options=options["read_options"],
                        parse_options=options["parse_options"], convert_options=convert)
    notes = []
    for name in ints:
        is_hex = pc.fill_null(pc.match_substring_regex(raw.column(name), HEX_PATTERN), False)
        if pc.any(is_hex).as_py():
            example = raw.column(name).filter(is_hex)[0].as_py().strip()
            notes.append(f"column '{name.strip()}': read hexadecimal numbers such as "
                         f"{example!r} as integers ({int(example, 16)})")
    return notes


def _csv_error(f: BinaryIO, path: Path, delimiter: str, encoding: str,
               message: str) -> InputError:
    """Turn a pyarrow parse error into ours, finding the line when a row is malformed."""
    if "Empty CSV file" in message:
        size = f.seek(0, 2)
        f.seek(0)
        if size > BLOCK_BYTES and b"\n" not in f.read(BLOCK_BYTES):
            return InputError(f"{path} line 1: longer than the {BLOCK_BYTES >> 20} MiB read "
                              f"block (a file without line breaks?); expected one row per line")
        return InputError(f"{path}: expected a header and data rows, found an empty file")
    if "straddles" in message:
        return InputError(f"{path}: a line spans more than the {BLOCK_BYTES >> 20} MiB read "
                          f"block; expected one row per line")
    if "Expected" in message and "columns" in message:
        return text_files.bad_row(f, path, delimiter, encoding)
    return InputError(f"{path}: not a readable CSV ({message.splitlines()[0]})")


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
