"""CSV formula injection (OWASP): every CSV lrnn writes goes through artifacts/tables.py,
which puts a ' before a text cell or header beginning with =, +, -, @, tab or carriage return,
unless the cell is a plain decimal number."""

from __future__ import annotations

import csv
import io

import pytest

from lrnn.artifacts.tables import csv_text, safe_cell
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
