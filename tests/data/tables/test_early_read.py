"""A table read on a thread while `lrnn train` imports torch is the table a direct read gives,
and a bad file fails where the table is taken, with the same message."""

from __future__ import annotations

from pathlib import Path

import pytest

from lrnn.config import build_config
from lrnn.data import load
from lrnn.data.tables import early_read
from lrnn.data.tables.reader import read_table
from lrnn.errors import InputError

FIXTURES = Path(__file__).parents[2] / "fixtures"


def test_the_early_table_is_the_direct_read():
    path = FIXTURES / "chile.csv"
    early_read.start(path, None, "utf-8", None)
    table = early_read.take(path, None, "utf-8", None, [])
    assert table.equals(read_table(path))
    assert early_read.take(path, None, "utf-8", None, []) is None  # taken once


def test_loading_takes_the_table_read_early():
    config = build_config({"data": str(FIXTURES / "slid.csv"), "target": "sex"})
    early_read.start(config.data, config.delimiter, config.encoding, config.decimal)
    dataset = load(config)
    assert not early_read._reads  # the early read was used
    direct = load(config)
    assert dataset.X.equals(direct.X) and (dataset.y == direct.y).all()


def test_a_bad_file_fails_where_it_is_taken(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    with pytest.raises(InputError) as direct:
        read_table(bad)
    early_read.start(bad, None, "utf-8", None)
    with pytest.raises(InputError) as early:
        early_read.take(bad, None, "utf-8", None, [])
    assert str(early.value) == str(direct.value)
