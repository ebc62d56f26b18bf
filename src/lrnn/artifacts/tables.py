"""Every CSV file lrnn writes (history.csv, evals.csv, predictions.csv, `lrnn predict`'s
output), through one writer."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
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
