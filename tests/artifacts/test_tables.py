"""Every CSV lrnn writes goes through artifacts/tables.py: CSV formula injection (OWASP), a '
before a text cell or header beginning with =, +, -, @, tab or carriage return, unless the cell
is a plain decimal number; predictions.csv as the csv module writes it, whatever the class
names, IDs and values."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from lrnn.artifacts.tables import csv_text, predictions_csv, safe_cell
from tests.conftest import lrnn_cli

ATTACKS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", '=HYPERLINK("http://example.com","x")']


@pytest.mark.parametrize("cell,written", [
    *[(attack, "'" + attack) for attack in ATTACKS],
    ("-0.25", "-0.25"), ("+3", "+3"), ("-1.5e-05", "-1.5e-05"), ("-5", "-5"),  # numbers stay
    ("plain", "plain"), ("a=b", "a=b"), ("", ""), (-0.5, -0.5), (3, 3),
    ("-", "'-"), ("-1e", "'-1e"), ("- 5", "'- 5"),
])
def test_safe_cell(cell, written):
    assert safe_cell(cell) == written


def test_headers_are_escaped_too():
    text = csv_text(["=id", "proba_=x"], [["=1+1", 0.5]])
    assert list(csv.reader(io.StringIO(text))) == [["'=id", "proba_=x"], ["'=1+1", "0.5"]]


def test_predictions_of_a_hostile_file_hold_no_formula(tmp_path):
    """Ids and class labels taken from the data: the predictions CSV (and the run's own
    predictions.csv) hold them escaped; probabilities stay numbers."""
    labels = ['=HYPERLINK("http://example.com","x")', "@ok"]
    data = tmp_path / "hostile.csv"
    with open(data, "w", newline="") as f:
        csv.writer(f).writerows([["id", "x", "label"]] + [
            [f"{ATTACKS[i % len(ATTACKS)]}-{i}", i % 9, labels[i % 9 > 4]] for i in range(60)])
    run = tmp_path / "run"
    result = lrnn_cli("train", "--data", str(data), "--target", "label", "--id-column", "id",
                      "--out", str(run), "-q")
    assert result.returncode == 0, result.stderr
    result = lrnn_cli("predict", str(run), str(data), "-o", str(tmp_path / "p.csv"))
    assert result.returncode == 0, result.stderr
    for path in (tmp_path / "p.csv", run / "predictions.csv"):
        table = list(csv.reader(open(path, newline="")))
        for row in table:
            for value in row:
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (path, value)
                if value.startswith("-"):
                    float(value)  # only a plain number may begin with a minus
    written = list(csv.DictReader(open(tmp_path / "p.csv", newline="")))
    assert written[0]["id"] == "'" + ATTACKS[0] + "-0"
    assert {row["prediction"] for row in written} <= {"'" + labels[0], "'" + labels[1]}
    assert all(0 <= float(row[f"proba_{labels[0]}"]) <= 1 for row in written)



def csv_module(classes, labels, probs, ids=None, true=None, exact=False) -> str:
    """The reference: every row through csv.writer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(([ids[0]] if ids else []) + (["true"] if true is not None else [])
                    + ["prediction"] + [f"proba_{c}" for c in classes])
    for i, (label, row) in enumerate(zip(labels.tolist(), probs.tolist())):
        writer.writerow(([ids[1][i]] if ids else []) + ([classes[true[i]]] if true is not None
                                                         else [])
                        + [classes[label]] + [repr(p) if exact else f"{p:.6g}" for p in row])
    return buffer.getvalue()


@pytest.mark.parametrize("exact,repr_in_numpy", [(True, True), (True, False), (False, True)])
def test_same_text_as_the_csv_module(exact, repr_in_numpy, monkeypatch):
    """Also where numpy's long double cannot make repr's digits (one %-format a row)."""
    from lrnn.artifacts.number_text import shortest

    monkeypatch.setattr(shortest, "REPR_IN_NUMPY", repr_in_numpy and shortest.REPR_IN_NUMPY)
    calls, numpy_repr = [], shortest.repr_bytes  # which path wrote the numbers

    def counted(values):
        calls.append(len(values))
        return numpy_repr(values)

    monkeypatch.setattr(shortest, "repr_bytes", counted)
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), 9)
    probs[:3] = [[np.nan, np.inf, -0.0], [1e-300, 5e-324, 1e300], [1 / 3, 2 / 3, 1e16]]
    labels, true = np.arange(9) % 3, rng.integers(0, 3, 9)
    classes = ["a,b", 'say "hi"', "line\nbreak"]
    ids = ("an id,", ["x,y", None, 3.5, 7, 'q"', "", "ok\r", " a ", "é"])
    for kwargs in ({}, {"true": true}, {"ids": ids}, {"ids": ids, "true": true}):
        assert predictions_csv(classes, labels, probs, exact=exact, **kwargs) == \
            csv_module(classes, labels, probs, exact=exact, **kwargs), kwargs
    assert bool(calls) == (exact and shortest.REPR_IN_NUMPY)
    text = predictions_csv(classes, labels, probs, exact=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1:] == [f"proba_{c}" for c in classes] and rows[3][0] == classes[2]
    assert float(rows[4][2]) == probs[3, 1]  # exact: the float itself


@pytest.mark.parametrize("exact", [True, False])
def test_rows_made_in_blocks_join_into_the_same_text(exact, monkeypatch):
    """Blocks of NUMBERS_AT_ONCE values: a last short block, multi-byte ids and every row
    kept in order, the text equal to the csv module's."""
    from lrnn.artifacts import tables

    monkeypatch.setattr(tables, "NUMBERS_AT_ONCE", 12)  # 4 rows of 3 classes a block
    rng = np.random.default_rng(1)
    probs = rng.dirichlet(np.ones(3), 11)
    labels, true = rng.integers(0, 3, 11), rng.integers(0, 3, 11)
    ids = ("id", [f"é{i}" * (i % 4) for i in range(11)])
    classes = ["a", "b,c", "ü"]
    assert predictions_csv(classes, labels, probs, ids, true, exact) == \
        csv_module(classes, labels, probs, ids, true, exact)


def test_a_class_name_holding_a_nul_is_still_written_whole():
    """The fast layout drops NUL padding; a name that holds NUL takes the row-by-row path."""
    probs = np.array([[0.25, 0.75], [0.5, 0.5]])
    labels, classes = np.array([1, 0]), ["a\0b", "c"]
    assert predictions_csv(classes, labels, probs) == csv_module(classes, labels, probs)
