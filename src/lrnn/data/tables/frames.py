"""A pandas DataFrame given to `lrnn.train(data=frame)` as the Arrow table a file would give:
the same tidying as the file reader (names and text cells trimmed, the missing markers, text
columns of numbers as numbers, float32), so that a frame and the CSV it would save to are typed
alike. Errors name the column, never print the frame."""

from __future__ import annotations

from ...errors import InputError
from . import reader
from .arrow_types import narrow_floats, normalize

SOURCE = "the DataFrame"


def is_frame(value) -> bool:
    """A pandas DataFrame, found without importing pandas (it is imported only if loaded)."""
    return type(value).__name__ == "DataFrame" and type(value).__module__.startswith("pandas")


def table_from_frame(frame):
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [str(name) for name in frame.columns]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise InputError(f"{SOURCE}: column name '{twice}' appears twice; expected unique names")
    columns = []
    for name, (_, series) in zip(names, frame.items()):
        try:
            column = pa.chunked_array([pa.array(series, from_pandas=True)])
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as exc:
            raise InputError(f"{SOURCE}, column '{name}': expected numbers, text, booleans or "
                             f"dates, found values of mixed types ({exc.__class__.__name__})"
                             ) from None
        if pa.types.is_dictionary(column.type):  # pandas' category dtype: its values as text
            column = pc.cast(column, pa.string())
        elif pa.types.is_large_string(column.type):
            column = pc.cast(column, pa.string())
        columns.append(_whole_numbers_with_gaps(column))
    table = narrow_floats(pa.table(columns, names=names), SOURCE)
    if table.num_rows == 0:
        raise InputError(f"{SOURCE}: expected rows, found none")
    # the reader's own steps, so that one rule types every source of tables
    return reader._tidy_text(reader._trim_names(normalize(table)), SOURCE)


def _whole_numbers_with_gaps(column):
    """pandas stores a column of whole numbers with gaps as floats (NaN needs a float); as
    integers again, the column is typed as the file it was read from would be (codes such as
    1/2/3 as categories)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_floating(column.type) or column.null_count == 0 or \
            column.null_count == len(column):
        return column
    present = column.drop_null().to_numpy()
    if not (np.all(np.isfinite(present)) and np.all(present == np.round(present))
            and np.all(np.abs(present) < 2 ** 53)):
        return column
    return pc.cast(column, pa.int64())
