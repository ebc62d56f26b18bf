"""What the table reader makes of Parquet's types, of text encodings and of cells at the edge
(data/tables: reader.py, text_files.py, arrow_types.py): one rule for every format, errors
that name the row of a Parquet file and the line of a text file, and words where lrnn used to
be silent. Reader cases run through `lrnn predict` on one trained table run (the reader is the
same for training), the training-only ones through `lrnn train`."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lrnn.data.tables.reader import read_table
from tests.conftest import TABLE_CSV, lrnn_cli, refused, snapshot

ROWS = list(csv.DictReader(io.StringIO(TABLE_CSV)))


def parquet(path, columns: dict) -> str:
    pq.write_table(pa.table(columns), path)
    return str(path)


def train_columns(n: int = 40) -> dict:
    return {"x": pa.array([float(i % 7) for i in range(n)]),
            "y": pa.array(["ab"[i % 2] for i in range(n)])}


@pytest.mark.parametrize("name,column,message", [
    ("tags", pa.array([[i, i + 1] for i in range(40)]),
     "column 'tags': a nested column (list<element: int64>); expected numbers, text, booleans "
     "or dates; pass --drop tags to leave it out"),
    ("big", pa.array([i if i != 2 else 2**64 - 1 for i in range(40)], pa.uint64()),
     "row 3, column 'big': an unsigned integer 18446744073709551615 beyond the 64-bit signed "
     "range"),
    ("blob", pa.array([b"ok" if i != 1 else b"\xff\xfe" for i in range(40)], pa.binary()),
     "row 2, column 'blob': binary data that is not UTF-8 text"),
])
def test_parquet_columns_lrnn_cannot_use(tmp_path, name, column, message):
    path = parquet(tmp_path / "data.parquet", {**train_columns(), name: column})
    before = snapshot(tmp_path)
    refused(lrnn_cli("train", "--data", path, "--target", "y", "--out", str(tmp_path / "run")),
            2, message)
    assert snapshot(tmp_path) == before


def test_parquet_errors_name_the_row_and_suggest_no_csv_flag(tmp_path):
    cells = [str(i % 7) for i in range(40)]
    cells[4] = "1,5"
    path = parquet(tmp_path / "data.parquet", {"x": pa.array(cells), **{
        "y": train_columns()["y"]}})
    line = refused(lrnn_cli("train", "--data", path, "--target", "y", "--out",
                            str(tmp_path / "run")), 2,
                   "data.parquet row 5, column 'x': expected a number, found '1,5'")
    assert "--decimal" not in line and "line" not in line.split("data.parquet")[1]


def test_missing_markers_are_one_rule_for_csv_and_parquet(tmp_path):
    """"?", "NA", "null" and the like, spaces around them or not, are missing in Parquet text
    columns exactly as in CSV: the reader gives the same table for both."""
    names = ("?", " NA ", "null", "N/A", "nan", "")
    rows = [{"size": names[i % 6] if i % 4 == 0 else f"{i / 3:.2f}",
             "colour": names[i % 6] if i % 5 == 0 else ("red", "blue")[i % 2]} for i in range(30)]
    with open(tmp_path / "t.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["size", "colour"])
        writer.writeheader()
        writer.writerows(rows)
    parquet(tmp_path / "t.parquet", {k: pa.array([r[k] for r in rows]) for k in ("size",
                                                                                   "colour")})
    from_csv, from_parquet = read_table(tmp_path / "t.csv"), read_table(tmp_path / "t.parquet")
    assert from_csv.equals(from_parquet), (from_csv.schema, from_parquet.schema)
    assert from_csv.column("colour").null_count == 6 and from_csv.column("size").null_count == 8


def predict(table_run, path, *flags, out=None):
    return lrnn_cli("predict", str(table_run), str(path), "-o", str(out or str(path) + ".out.csv"),
                    *flags)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_files_with_the_right_encoding(table_run, tmp_path, encoding):
    path = tmp_path / "new.csv"
    path.write_bytes(TABLE_CSV.encode(encoding))  # with a byte-order mark
    result = predict(table_run, path, "--encoding", encoding)
    assert result.returncode == 0, result.stderr
    expected = predict(table_run, table_run.parent / "table.csv", out=tmp_path / "utf8.csv")
    assert expected.returncode == 0
    assert (tmp_path / "new.csv.out.csv").read_text() == (tmp_path / "utf8.csv").read_text()


@pytest.mark.parametrize("data,flags,message", [
    (TABLE_CSV.encode("utf-16"), [], "starts with a UTF-16 byte-order mark; pass --encoding "
                                     "utf-16"),
    (TABLE_CSV.encode("utf-16-le"), [], "found binary data (NUL bytes); it looks like UTF-16 "
                                        "text: pass --encoding utf-16-le"),
    (TABLE_CSV.encode("utf-8"), ["--encoding", "utf-32"], "is not valid utf-32 text"),
    (TABLE_CSV.encode() + b"".join(b"%d,1.0,red,a\n" % i for i in range(60, 1200)) +
     b"999,1.0,re\0d,a\n", [], "line 1202, column 'colour': a NUL character inside a cell"),
])
def test_encoding_mistakes(table_run, tmp_path, data, flags, message):
    path = tmp_path / "new.csv"
    path.write_bytes(data)
    before = snapshot(tmp_path)
    refused(predict(table_run, path, *flags), 2, message)
    assert snapshot(tmp_path) == before


def test_hexadecimal_numbers_are_said(table_run, tmp_path):
    rows = TABLE_CSV.splitlines()
    path = tmp_path / "new.csv"
    path.write_text("\n".join([rows[0]] + [f"0x{i:x}," + row.split(",", 1)[1]
                                           for i, row in enumerate(rows[1:])]) + "\n")
    result = predict(table_run, path)
    assert result.returncode == 0, result.stderr
    assert "new.csv: column 'id': read hexadecimal numbers such as '0x0' as integers (0)" in \
        result.stderr


@pytest.mark.parametrize("data,flags,message", [
    (b"1" * (6 << 20), [], "data.csv line 1: longer than the 4 MiB read block"),
    (b"x,y\n" + b"".join(b"%d,%s\n" % (i, b"ab"[i % 2:i % 2 + 1]) for i in range(30)) +
     b"1e308,a\n", [], "data.csv line 32, column 'x': 1e+308 is beyond the range of float32"),
    (b"x,y\n" + b"".join(b"%d,%s\n" % (i, [b"a", b"b", b"NaN"][i % 3]) for i in range(30)), [],
     "10 missing cells in target column 'y' (line 4, line 7, line 10, line 13, line 16, ...: "
     "empty or a missing marker, '', NA, N/A, NaN, null"),
    (b"x,y\n" + b"".join(b"%d,%s\n" % (i, b"ab"[i % 2:i % 2 + 1]) for i in range(10)),
     ["--test-fraction", "0.999"], "--test-fraction 0.999: holds out 8 of 10 rows, leaving 2"),
])
def test_training_file_edges(tmp_path, data, flags, message):
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    before = snapshot(tmp_path)
    refused(lrnn_cli("train", "--data", str(path), "--target", "y", *flags, "--out",
                     str(tmp_path / "run")), 2, message)
    assert snapshot(tmp_path) == before


def test_a_tiny_training_split_is_warned(table_run, tmp_path):
    result = lrnn_cli("train", "--data", str(table_run.parent / "table.csv"), "--target", "y",
                      "--id-column", "id", "--val-fraction", "0.99", "--out",
                      str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    assert "warning: training on only 2 rows (--val-fraction 0.99 holds out 46; " \
           "--test-fraction 0.2 holds out 12)" in result.stderr


def test_parquet_input_to_predict(table_run, tmp_path):
    """A Parquet file may carry columns the model does not use, even nested ones (ignored with
    a warning); a nested column the model reads is refused, naming it."""
    columns = {k: pa.array([row[k] for row in ROWS]) for k in ("id", "colour")}
    columns["size"] = pa.array([float(row["size"]) for row in ROWS])
    extra = pa.array([[1, 2]] * len(ROWS))
    ok = predict(table_run, parquet(tmp_path / "ok.parquet", {**columns, "extra": extra}))
    assert ok.returncode == 0, ok.stderr
    assert "ignoring columns the model does not know: extra" in ok.stderr
    nested = {"list<element: int64>": extra,
              "struct<a: int64>": pa.array([{"a": 1}] * len(ROWS)),
              "map<string, int64": pa.array([[("k", 1)]] * len(ROWS),
                                             pa.map_(pa.string(), pa.int64()))}
    for kind, column in nested.items():
        bad = predict(table_run, parquet(tmp_path / "bad.parquet", {**columns, "colour": column}))
        refused(bad, 2, f"bad.parquet, column 'colour': a nested column ({kind}")


def test_a_column_given_with_numeric_gets_no_categorical_advice(table_run, tmp_path):
    """--categorical would contradict what the user said with --numeric."""
    line = refused(lrnn_cli("train", "--data", str(table_run.parent / "table.csv"), "--target",
                            "y", "--numeric", "colour", "--out", str(tmp_path / "run")), 2,
                   "line 2, column 'colour': expected a number, found 'red'; a column given "
                   "with --numeric")
    assert "--categorical" not in line


@pytest.mark.parametrize("data, holds", [
    (b"a,0x10\n", True), (b"0X1", True), (b"x0,x1\n1,2\n", False), (b"", False),
    (b"x" * 100 + b"0x", True), (b"x" * 100, False), (b"1,0\n", False),
    (b"1" * ((4 << 20) - 1) + b"0x1", True),  # the mark across two read blocks
    (b"1" * ((4 << 20) - 1) + b"10X", True),  # ...or at a block's start
])
def test_hexadecimal_marks_are_found_anywhere(data, holds):
    import io

    from lrnn.data.tables.text_files import holds_hex

    assert holds_hex(io.BytesIO(data)) is holds
