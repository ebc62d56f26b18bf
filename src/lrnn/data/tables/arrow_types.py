"""The column types lrnn works with, whatever the file format: int64, float32, text, booleans,
dates and times. `normalize` converts what converts without loss as a file is read (Parquet's
dictionaries, small and unsigned integers, large strings, UTF-8 binary, half floats);
`narrow_floats` makes float64 float32, refusing a number float32 cannot hold; `check_usable`
refuses, naming the column and the row, what cannot be a feature or a target: nested columns
(lists, structs, maps), binary data that is not UTF-8 text, unsigned integers beyond int64.
It runs only on the columns a model uses, so a Parquet file may carry others."""

from __future__ import annotations

from ...errors import InputError
from .locations import at_row

INT64_MAX = 2**63 - 1


def _normalized(column):
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = column.type
    if pa.types.is_large_string(kind) or getattr(pa.types, "is_string_view", bool)(kind):
        return column.cast(pa.string())
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or \
            pa.types.is_fixed_size_binary(kind):
        try:
            return column.cast(pa.string())
        except pa.ArrowInvalid:  # not UTF-8: check_usable names the row
            return column
    if pa.types.is_integer(kind) and kind != pa.int64():
        if kind == pa.uint64() and (pc.max(column).as_py() or 0) > INT64_MAX:
            return column  # check_usable names the row
        return column.cast(pa.int64())
    if pa.types.is_float16(kind):
        return column.cast(pa.float32())
    return column


def normalize(table):
    """The table with every column converted to lrnn's types where that loses nothing."""
    import pyarrow as pa

    columns = [_normalized(c) for c in table.columns]
    return pa.table(columns, names=table.column_names)


def unusable(column) -> tuple[str, int | None] | None:
    """(why the column cannot be used, the first row that shows it) or None."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if pa.types.is_nested(kind):
        return f"a nested column ({kind}); expected numbers, text, booleans or dates", None
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or \
            pa.types.is_fixed_size_binary(kind):
        row = next((i for i, v in enumerate(column.to_pylist())
                    if v is not None and not _utf8(v)), None)
        return "binary data that is not UTF-8 text", row
    if kind == pa.uint64():
        limit = pa.scalar(INT64_MAX, pa.uint64())
        too_big = pc.indices_nonzero(pc.fill_null(pc.greater(column, limit), False))
        row = too_big[0].as_py() if len(too_big) else None
        value = column[row].as_py() if row is not None else None
        return (f"an unsigned integer {value} beyond the 64-bit signed range "
                f"(at most {INT64_MAX})"), row
    if pa.types.is_duration(kind) or pa.types.is_interval(kind):
        return f"a {kind} column; expected numbers, text, booleans or dates", None
    return None


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_usable(column, name: str, source: str, fitting: bool = True) -> None:
    """Refuse a column lrnn cannot read as a feature or a target (see `unusable`)."""
    problem = unusable(column)
    if problem is None:
        return
    why, row = problem
    where = at_row(source, row) if row is not None else source
    remedy = f"; pass --drop {name} to leave it out" if fitting else ""
    raise InputError(f"{where}, column '{name}': {why}{remedy}")


GROUP_BYTES = 64 << 20  # float64 data narrowed per call: bounds the extra memory


def narrow_floats(table, source: str, first_row: int = 0):
    """float64 columns as float32: the model computes in float32, and this halves the memory
    of a large numeric file. Every reader of tables (training, test and predict files) goes
    through here, so they see the same values. A finite number beyond float32's range (1e308)
    is refused, naming its row. Columns are checked and cast in groups of up to GROUP_BYTES,
    one call per group: column by column, the Python overhead cost seconds on a file of
    10,000 columns (and the CSV reader narrows block by block)."""
    import pyarrow as pa

    names = table.column_names
    float64 = pa.float64()
    floats = [i for i, kind in enumerate(table.schema.types) if kind == float64]
    if not floats:
        return table
    columns, rows = table.columns, table.num_rows
    del table
    per_group = max(1, GROUP_BYTES // max(1, 8 * rows))
    for start in range(0, len(floats), per_group):
        _narrow_group(columns, names, floats[start:start + per_group], rows, source, first_row)
    return pa.table(columns, names=names)


def _narrow_group(columns: list, names: list[str], group: list[int], rows: int, source: str,
                  first_row: int) -> None:
    """Cast columns[i] for i in `group` (each of `rows` rows) to float32 in place, in one call."""
    import pyarrow as pa

    chunks = [chunk for i in group for chunk in columns[i].chunks]
    wide = pa.concat_arrays(chunks) if chunks else pa.array([], pa.float64())
    _check_float32_range(wide, [columns[i] for i in group], [names[i] for i in group], source,
                         first_row)
    narrow = wide.cast(pa.float32())
    del wide
    for k, i in enumerate(group):
        columns[i] = pa.chunked_array([narrow.slice(k * rows, rows)], pa.float32())


def _check_float32_range(everything, columns: list, names: list[str], source: str,
                         first_row: int) -> None:
    import numpy as np
    import pyarrow.compute as pc

    low, high = pc.min_max(everything).values()
    limit = float(np.finfo(np.float32).max)
    if (low.as_py() or 0) >= -limit and (high.as_py() or 0) <= limit:
        return  # the common case: one pass over every float, no column too large
    for name, column in zip(names, columns):
        values = column.to_numpy(zero_copy_only=False)
        beyond = np.flatnonzero(np.isfinite(values) & (np.abs(values) > limit))
        if beyond.size:
            row = int(beyond[0])
            raise InputError(f"{at_row(source, first_row + row)}, column '{name}': "
                             f"{float(values[row])!r} is beyond the range of float32 "
                             f"(±3.4e38), the precision lrnn computes in")
