"""The column-typing rule."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lrnn.data.tables.columns import MAX_LEVELS, check_numbers, plan_columns
from lrnn.errors import InputError


def test_rule():
    n = 100
    table = pa.table({
        "customer_id": pa.array(range(1000, 1000 + n)),             # integer, unique, named like an ID
        "row": pa.array(range(n)),                                   # integer, unique, counts up
        "grade": pa.array([i % 3 + 1 for i in range(n)]),            # few integers: categories
        "income": pa.array([i * 37 % 1000 for i in range(n)]),       # many integers: numbers
        "height": pa.array([1.5 + i / 100 for i in range(n)]),       # floats: numbers
        "member": pa.array([i % 2 == 0 for i in range(n)]),          # booleans: categories
        "city": pa.array(["a", "b", "c", "d"] * (n // 4)),           # text: categories
        "name": pa.array([f"person {i}" for i in range(n)]),         # unique text: an ID
        "empty": pa.nulls(n),                                        # nothing: dropped
    })
    plan = plan_columns(table, "t.csv")
    assert plan.numeric == ["income", "height"]
    assert plan.categorical == ["grade", "member", "city"]
    assert set(plan.dropped) == {"customer_id", "row", "name", "empty"}
    assert any("'name' dropped: looks like an ID or free text" in w for w in plan.warnings)


def test_overrides_win():
    table = pa.table({"grade": [1, 2, 3, 1] * 10, "code": ["1", "2", "3", "4"] * 10,
                      "x": [0.5] * 40})
    plan = plan_columns(table, "t.csv", numeric=["grade", "code"], drop=["x"])
    assert plan.numeric == ["grade", "code"] and plan.dropped == {"x": "--drop"}


def test_high_cardinality_is_capped_with_a_warning():
    values = [f"v{i % (MAX_LEVELS + 30)}" for i in range(2000)]
    plan = plan_columns(pa.table({"tag": values, "x": range(2000)}), "t.csv")
    assert plan.categorical == ["tag"]
    assert any("'tag': 80 distinct values; kept the 50 most frequent" in w for w in plan.warnings)


def test_numbers_stored_as_text():
    with pytest.raises(InputError, match=r"line 5, column 'x': expected a number, found 'n/a!'"):
        plan_columns(pa.table({"x": ["1", "2", "3", "n/a!"] + ["4"] * 40}), "t.csv")
    plan = plan_columns(pa.table({"x": ["1", "2"] * 20}), "t.csv", numeric=["x"])
    assert plan.numeric == ["x"]


def test_dates_are_days_since_1970():
    import datetime

    days = [datetime.date(2020, 1, 1) + datetime.timedelta(days=3 * i) for i in range(40)]
    table = pa.table({"signup": pa.array(days), "x": [0.5, 1.5] * 20})
    plan = plan_columns(table, "t.csv")
    assert plan.numeric == ["signup", "x"]
    values = check_numbers(table.column("signup"), "signup", "t.csv")
    assert values[0] == 18262 and values[1] == 18265  # 2020-01-01 is day 18262


def test_row_numbers_of_a_filtered_file_are_dropped_but_sorted_features_are_kept():
    kept = [i for i in range(201) if i % 7]                 # a row number with gaps
    wide = [3 * i for i in range(len(kept))]                 # sorted, distinct, wide span
    table = pa.table({"row": kept, "price": wide, "x": [0.5, 1.5] * (len(kept) // 2)})
    plan = plan_columns(table, "t.csv")
    assert set(plan.dropped) == {"row"} and plan.numeric == ["price", "x"]
