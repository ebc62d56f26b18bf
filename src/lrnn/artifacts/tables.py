"""Every CSV file lrnn writes (history.csv, evals.csv, predictions.csv, `lrnn predict`'s
output), through one writer, which neutralizes spreadsheet formulas.

CSV injection (OWASP, "CSV Injection"): a spreadsheet opening the file runs a cell that begins
with =, +, -, @, a tab or a carriage return as a formula (`=HYPERLINK(...)`, `-2+3`,
`@SUM(...)`). Every text cell and header of that kind gets a single quote in front, which the
spreadsheet shows as text. A cell that is a plain number in decimal notation (-0.25, +3,
-1.5e-05) is left as it is: a spreadsheet reads it as the number, not a formula, and numbers
stay numbers for every other reader. Numbers lrnn writes itself (ints, floats) are never
touched. Reading such a file back, a leading ' marks an escaped cell."""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value`, with a ' in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) \
            and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def records_csv(records: list[dict], columns: Sequence[str]) -> str:
    """One row per record, in `columns` (a column a record lacks is left empty)."""
    return csv_text(columns, ([record.get(c, "") for c in columns] for record in records))


def predictions_csv(classes: Sequence[str], labels, probs, ids: tuple[str, list] | None = None,
                    true=None, exact: bool = False) -> str:
    """One row per input: [id,] [true,] prediction, proba_<class>... `labels` and `true` are
    class indices. `exact` writes each probability with Python's shortest round-trip repr (the
    run's own predictions.csv, from which every test metric can be recomputed); otherwise 6
    significant digits."""
    names = list(classes)
    header = ([ids[0]] if ids else []) + (["true"] if true is not None else []) + \
        ["prediction"] + [f"proba_{c}" for c in names]
    fmt = repr if exact else (lambda p: f"{p:.6g}")

    def rows():
        for i, (label, row) in enumerate(zip(labels.tolist(), probs.tolist())):
            head = ([ids[1][i]] if ids else []) + ([names[true[i]]] if true is not None else [])
            yield head + [names[label]] + [fmt(p) for p in row]
    return csv_text(header, rows())
