"""Column typing for tables: which columns are numbers, which are categories, which are dropped.

The rule (also in the README), for each column in order:
1. --drop, --numeric and --categorical decide first.
2. Empty columns are dropped.
3. Booleans are categories.
4. Integers with at most LOW_CARDINALITY distinct values are categories (codes like 1/2/3);
   an integer column with a distinct value in every row that counts up by one (or rises in
   file order with few gaps: a row number of a filtered file) or is named like an ID (id,
   *_id, ...Id) is dropped as an ID.
5. Other numbers are numbers.
6. Text is a category, unless it has a distinct value in at least ID_SHARE of the rows (an
   ID, a name, free text): then it is dropped. A category with more than MAX_LEVELS distinct
   values is capped by the preprocessor: its MAX_LEVELS most frequent values, the rest as
   "(other)". Text whose values are nearly all numbers is a number column with bad cells:
   an error that names the first one.
7. Dates and timestamps are numbers: days since 1970-01-01 (times of day: hours since
   midnight), so that dates never seen in training still place a row in time.
8. An unnamed first column of distinct whole numbers (pandas' saved row index) is dropped.
Each drop and cap is reported as a warning naming the column.
(The reader has already trimmed spaces around names and text cells, read the missing markers
("?", NA, ...) as missing the same way for every format, and typed text columns whose every
cell is a number as numbers. Columns that cannot be features at all (nested Parquet columns,
binary data) are refused, naming them: see arrow_types.py.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...errors import InputError
from .arrow_types import check_usable
from .locations import at_row, is_parquet
from .reader import NUMBER_PATTERN, ROW_INDEX

LOW_CARDINALITY = 10
ID_SHARE = 0.95
ID_MIN_ROWS = 20
MAX_LEVELS = 50
ROW_NUMBER_SPAN = 1.25
COMMA_NUMBER_PATTERN = r"^\s*[-+]?\d*,\d+\s*$"
NUMERIC_TEXT_SHARE = 0.9
ID_NAME = re.compile(r"(^|[_\W])id$|^id([_\W]|$)|[a-z]Id$|ID$", re.IGNORECASE)


@dataclass
class ColumnPlan:
    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)  # name -> why
    warnings: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # kept column -> why it has its type

    def to_json(self) -> dict:
        return {"numeric": self.numeric, "categorical": self.categorical,
                "dropped": self.dropped}

    def keep(self, kind: str, name: str, why: str) -> None:
        (self.numeric if kind == "number" else self.categorical).append(name)
        self.why[name] = why

    def typing(self, order, target: str | None = None, id_column: str | None = None) -> list:
        """Each column: the target and the ID column, then those in `order` (the file's):
        number, category or dropped, and why (model.json "column_typing", the report)."""
        rows = [{"column": target, "type": "target", "why": "--target: the classes to predict"}
                ] if target else []
        if id_column:
            rows.append({"column": id_column, "type": "id",
                         "why": "--id-column: copied into the predictions, never a feature"})
        for name in order:
            if name in self.dropped:
                rows.append({"column": name, "type": "dropped", "why": self.dropped[name]})
            elif name in self.numeric or name in self.categorical:
                kind = "number" if name in self.numeric else "category"
                rows.append({"column": name, "type": kind, "why": self.why.get(name, "")})
        return rows


def plan_columns(table, source: str, numeric=(), categorical=(), drop=()) -> ColumnPlan:
    """Decide each column's kind by the rule above."""
    present = set(table.column_names)
    for flag, names in (("--numeric", numeric), ("--categorical", categorical), ("--drop", drop)):
        missing = [n for n in names if n not in present]
        if missing:
            raise InputError(f"{flag}: no column {missing[0]!r} in {source}; columns: "
                             f"{', '.join(table.column_names)}")
    plan = ColumnPlan()
    numeric, categorical, drop = set(numeric), set(categorical), set(drop)
    for name, column in zip(table.column_names, table.columns):
        if name in drop:
            plan.dropped[name] = "--drop"
            continue
        check_usable(column, name, source)
        if name == ROW_INDEX:
            _drop(plan, name, "an unnamed first column of distinct whole numbers, taken for a "
                              "saved row index")
        elif name in numeric:
            check_numbers(column, name, source, remedy="a column given with --numeric")
            plan.keep("number", name, "--numeric")
        elif name in categorical:
            plan.keep("category", name, "--categorical")
        else:
            _infer(plan, name, column, source)
    if not plan.numeric and not plan.categorical:
        raise InputError(f"{source}: no feature columns left (dropped: "
                         f"{', '.join(plan.dropped) or 'none'}); expected at least one")
    return plan


def _infer(plan: ColumnPlan, name: str, column, source: str) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    present = len(column) - column.null_count
    if pa.types.is_null(kind) or present == 0:
        _drop(plan, name, "empty column")
    elif pa.types.is_boolean(kind):
        plan.keep("category", name, "true/false values")
    elif pa.types.is_integer(kind):
        distinct = pc.count_distinct(column).as_py()
        if distinct <= LOW_CARDINALITY:
            plan.keep("category", name, f"whole numbers with {distinct} distinct values (at "
                                        f"most {LOW_CARDINALITY}): taken for codes")
        elif distinct == len(column) >= ID_MIN_ROWS and (ID_NAME.search(name) or _counts_up(column)):
            _drop(plan, name, f"looks like an ID ({distinct:,} distinct values in "
                              f"{len(column):,} rows)")
        else:
            check_numbers(column, name, source)
            plan.keep("number", name, f"whole numbers with {distinct:,} distinct values")
    elif pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        check_numbers(column, name, source)
        plan.keep("number", name, "numbers")
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        _text_column(plan, name, column, present, source)
    elif _is_temporal(kind):
        plan.keep("number", name, "hours since midnight" if pa.types.is_time(kind) else
                  "dates: days since 1970-01-01")
    else:  # anything else the readers produce: its text as categories
        plan.keep("category", name, f"{kind} values, as text")


def _text_column(plan: ColumnPlan, name: str, column, present: int, source: str) -> None:
    import pyarrow.compute as pc

    is_number = pc.match_substring_regex(column, NUMBER_PATTERN)
    numbers = pc.sum(is_number).as_py() or 0
    if numbers >= NUMERIC_TEXT_SHARE * present:
        _raise_bad_number(column, is_number, name, source, None)
    _refuse_comma_numbers(column, present, name, source)
    distinct = pc.count_distinct(column).as_py()
    if present >= ID_MIN_ROWS and distinct >= ID_SHARE * present:
        _drop(plan, name, f"looks like an ID or free text ({distinct:,} distinct values in "
                          f"{present:,} rows)")
        return
    capped = f"; the {MAX_LEVELS} most frequent kept" if distinct > MAX_LEVELS else ""
    plan.keep("category", name, f"text with {distinct:,} distinct values{capped}")
    if distinct > MAX_LEVELS:
        plan.warnings.append(f"column '{name}': {distinct:,} distinct values; kept the "
                             f"{MAX_LEVELS} most frequent, the rest count as '(other)'")


def _refuse_comma_numbers(column, present: int, name: str, source: str) -> None:
    """Numbers with a decimal comma (or a thousands separator) read as text would become a
    category of hundreds of levels; say what to pass instead."""
    import pyarrow.compute as pc

    is_comma_number = pc.fill_null(pc.match_substring_regex(column, COMMA_NUMBER_PATTERN), False)
    commas = pc.sum(is_comma_number).as_py() or 0
    if commas and commas >= NUMERIC_TEXT_SHARE * present:
        example = column.filter(is_comma_number)[0]
        remedy = "store them as numbers" if is_parquet(source) else \
            "pass --decimal ',' if the comma is the decimal mark (or remove thousands separators)"
        raise InputError(f"{source}, column '{name}': numbers written with a comma, such as "
                         f"{example.as_py()!r}; {remedy}")


def _drop(plan: ColumnPlan, name: str, why: str) -> None:
    plan.dropped[name] = why
    plan.warnings.append(f"column '{name}' dropped: {why}")


def _counts_up(column) -> bool:
    """Distinct whole numbers that are 1, 2, 3, ... in some order, or rise in file order
    spanning at most ROW_NUMBER_SPAN times their count (a row number with rows filtered
    out). A numeric feature with a distinct value in every row and a span that narrow,
    sorted in the file, is unlikely."""
    import numpy as np

    values = column.to_numpy(zero_copy_only=False)
    steps = np.diff(values)
    if np.all(steps > 0) and values[-1] - values[0] < ROW_NUMBER_SPAN * len(values):
        return True
    return bool(np.all(np.diff(np.sort(values)) == 1))


def _is_temporal(kind) -> bool:
    import pyarrow as pa

    return pa.types.is_date(kind) or pa.types.is_timestamp(kind) or pa.types.is_time(kind)


def _temporal_numbers(column):
    """Days since 1970-01-01 for dates and timestamps, hours since midnight for times."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_time(column.type):
        seconds = pc.cast(pc.cast(column, pa.time64("us")), pa.int64())
        return pc.divide(pc.cast(seconds, pa.float64()), 3600e6)
    if pa.types.is_date(column.type):
        return pc.cast(pc.cast(pc.cast(column, pa.date32()), pa.int32()), pa.float64())
    micros = pc.cast(pc.cast(column, pa.timestamp("us", column.type.tz)), pa.int64())
    return pc.divide(pc.cast(micros, pa.float64()), 86400e6)


def _raise_bad_number(column, is_number, name: str, source: str, remedy: str | None) -> None:
    import pyarrow.compute as pc

    bad = pc.indices_nonzero(pc.and_(pc.invert(pc.fill_null(is_number, True)),
                                     pc.is_valid(column)))
    row = bad[0].as_py()
    value = column[row].as_py()
    hint = " (a decimal comma? pass --decimal ',')" \
        if re.match(COMMA_NUMBER_PATTERN, value) and not is_parquet(source) else ""
    remedy = f"pass --categorical {name} if it is a category" if remedy is None else remedy
    raise InputError(f"{at_row(source, row)}, column '{name}': expected a number, found "
                     f"{value!r}{hint}; {remedy}")


def check_numbers(column, name: str, source: str, fitting: bool = True,
                  remedy: str | None = None):
    """The column as float64 numbers (nulls as NaN); an error names the first bad cell and
    says `remedy`: by default, when `fitting` a column lrnn typed itself, pass --categorical;
    otherwise that the model was trained on numbers there."""
    if remedy is None and not fitting:
        remedy = "the model was trained on numbers in this column"
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        is_number = pc.match_substring_regex(column, NUMBER_PATTERN)
        if pc.any(pc.and_(pc.invert(pc.fill_null(is_number, True)), pc.is_valid(column))).as_py():
            _raise_bad_number(column, is_number, name, source, remedy)
    elif _is_temporal(column.type):
        column = _temporal_numbers(column)
    elif not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)
              or pa.types.is_decimal(column.type) or pa.types.is_boolean(column.type)
              or pa.types.is_null(column.type)):
        raise InputError(f"{source}, column '{name}': expected numbers, found {column.type}")
    numbers = pc.cast(column, pa.float64()) if pa.types.is_string(column.type) or \
        pa.types.is_large_string(column.type) else column
    # one conversion (nulls as NaN) and a writable float64 copy, which callers fill; integers
    # beyond 2**53 round to the nearest float64, as every feature becomes a float
    values = np.array(numbers.to_numpy(zero_copy_only=False), dtype=np.float64)
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        row = int(infinite[0])
        raise InputError(f"{at_row(source, row)}, column '{name}': expected a finite "
                         f"number, found {column[row].as_py()!r}")
    return values
