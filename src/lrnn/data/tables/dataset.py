"""A Dataset from the user's own table: features, the target column's classes, an optional ID
column and a given test file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import InputError
from ..dataset import Dataset
from . import early_read
from .arrow_types import check_usable
from .columns import ColumnPlan, plan_columns
from .locations import at_row
from .reader import MISSING_SHOWN, read_table

MAX_LISTED = 5
# A target with more distinct values than this and than half its rows is a quantity, not
# classes (fewer than two rows a class could not be split or learned anyway).
QUANTITY_VALUES = 20


def class_names(column) -> list[str]:
    """The distinct target values, sorted by their own type (numbers numerically), as text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.unique(column.drop_null())
    values = values.take(pc.array_sort_indices(values))
    if pa.types.is_floating(values.type):
        return [_number_text(v) for v in values.to_pylist()]
    return [str(v) for v in pc.cast(values, pa.string()).to_pylist()]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def target_as_text(column):
    """Target values as the text `class_names` uses for them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(column.type):
        return pa.array([None if v is None else _number_text(v) for v in column.to_pylist()],
                        pa.string())
    return pc.cast(column, pa.string())


def encode_target(column, classes: list[str], name: str, source: str) -> np.ndarray:
    """Class indices for the target column; empty cells and unknown classes are errors."""
    import pyarrow.compute as pc

    check_usable(column, name, source, fitting=False)
    text = target_as_text(column)
    empty = pc.indices_nonzero(pc.is_null(text)).to_numpy()
    if empty.size:
        where = ", ".join(at_row(source, int(r)).removeprefix(source).strip()
                          for r in empty[:MAX_LISTED])
        raise InputError(f"{source}: {empty.size:,} missing cells in target column '{name}' "
                         f"({where}{', ...' if empty.size > MAX_LISTED else ''}: empty or a "
                         f"missing marker, {MISSING_SHOWN}); expected a class in every row")
    codes = pc.index_in(text, value_set=pc.cast(classes, text.type)).to_numpy(zero_copy_only=False)
    unknown = np.flatnonzero(np.isnan(codes)) if codes.dtype.kind == "f" else np.array([], int)
    if unknown.size:
        row = int(unknown[0])
        raise InputError(f"{at_row(source, row)}: class {text[row].as_py()!r} of column "
                         f"'{name}' was not seen in the training data ({', '.join(classes)})")
    return codes.astype(np.int64)


def _split_off(table, name: str, flag: str, source: str):
    if name not in table.column_names:
        raise InputError(f"{flag} {name}: no such column in {source}{_closest(name, table)}; "
                         f"columns: {', '.join(table.column_names)}")
    return table.column(name), table.drop_columns([name])


def _closest(name: str, table) -> str:
    """A hint naming the column the user most likely meant (case first, then spelling)."""
    import difflib

    same_case = [c for c in table.column_names if c.casefold() == name.casefold()]
    close = same_case or difflib.get_close_matches(name, table.column_names, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def load_table_dataset(config, frame=None) -> Dataset:
    """The Dataset of config.data, or of `frame` (a pandas DataFrame given in Python)."""
    notes: list[str] = []
    if frame is not None:
        from .frames import SOURCE, table_from_frame

        path, table = Path(SOURCE), table_from_frame(frame)
    else:
        path = Path(config.data)
        table = early_read.take(path, config.delimiter, config.encoding, config.decimal, notes)
        if table is None:
            table = read_table(path, config.delimiter, config.encoding, config.decimal, notes)
    target, features = _split_off(table, config.target, "--target", str(path))
    if config.id_column:
        _, features = _split_off(features, config.id_column, "--id-column", str(path))
    classes = class_names(target)
    if len(classes) < 2:
        raise InputError(f"{path}: target column '{config.target}' has only one class "
                         f"({classes[0] if classes else 'none'}); expected at least two")
    if len(classes) > max(QUANTITY_VALUES, len(target) / 2):
        raise InputError(f"{path}: target column '{config.target}' has {len(classes):,} distinct "
                         f"values in {len(target):,} rows; expected classes with several rows "
                         f"each (lrnn trains classifiers; a quantity needs a regressor)")
    y = encode_target(target, classes, config.target, str(path))
    plan = plan_columns(features, str(path), config.numeric, config.categorical, config.drop)
    X_test = y_test = None
    if config.test_data:
        X_test, y_test = _test_file(config, classes, features.column_names, notes)
    plan.warnings[:0] = notes
    return Dataset(name=config.source_name, X=features, y=y, classes=tuple(classes),
                   feature_names=tuple(features.column_names), source=str(path),
                   X_test=X_test, y_test=y_test, schema=plan)


def _test_file(config, classes: list[str], columns: list[str], notes: list[str]):
    path = Path(config.test_data)
    table = read_table(path, config.delimiter, config.encoding, config.decimal, notes)
    target, features = _split_off(table, config.target, "--target", str(path))
    present = set(features.column_names)
    missing = [c for c in columns if c not in present]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)} that the training "
                         f"file {config.data} has")
    return features.select(columns), encode_target(target, classes, config.target, str(path))


def builtin_table(X: np.ndarray, names: list[str]):
    """A numeric array as a table, so built-in datasets take the same path as files."""
    import pyarrow as pa

    plan = ColumnPlan()
    for name in names:
        plan.keep("number", name, "numbers (a built-in dataset)")
    return pa.table({name: X[:, j] for j, name in enumerate(names)}), plan


