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

import numpy as np

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
    significant digits, "%.6g".

    The same text as csv_text would write, made faster: each class name is quoted once, and
    the probabilities are formatted all at once in numpy (number_text/; 10,000 x 10:
    "%.6g" 0.012 s against 0.045 s by %-format and 0.07 s by csv_text; repr, the whole file,
    0.07 s against 0.10 s, and 0.25 against 0.49 s for 200,000 x 2). A class name or id
    holding NUL, or repr where numpy's long double is too short (number_text/shortest.py's
    REPR_IN_NUMPY), takes one %-format a row."""
    quote = _field_quoter()
    names = [quote(c) for c in classes]
    header = ([ids[0]] if ids else []) + (["true"] if true is not None else []) + \
        ["prediction"] + [f"proba_{c}" for c in classes]
    first = ",".join(quote(name) for name in header) + "\n"
    id_texts = [quote(value) for value in ids[1]] if ids else []
    labels = np.asarray(labels)
    if len(labels) and "\0" not in "".join(names + id_texts) and _in_numpy(exact):
        name_cells = _cells(names)
        heads = [_cells(id_texts)] if ids else []
        if true is not None:
            heads.append(name_cells[np.asarray(true)])
        return first + _number_rows([*heads, name_cells[labels]], np.asarray(probs), exact)
    heads = [names[label] for label in labels.tolist()]
    if true is not None:
        heads = [f"{names[t]},{head}" for t, head in zip(np.asarray(true).tolist(), heads)]
    if ids:
        heads = [f"{value},{head}" for value, head in zip(id_texts, heads)]
    row = ",".join(["%r" if exact else "%.6g"] * len(names))  # as repr / f"{p:.6g}"
    return first + "".join([f"{head},{row % tuple(p)}\n" for head, p in zip(heads,
                                                                        probs.tolist())])


def _in_numpy(exact: bool) -> bool:
    """Whether numpy can write the numbers (repr needs x87's or a quad long double)."""
    if not exact:
        return True
    from .number_text.shortest import REPR_IN_NUMPY

    return REPR_IN_NUMPY


def _cells(texts: list[str]) -> np.ndarray:
    """Each text and its comma, UTF-8, as a numpy bytes array (NUL-padded)."""
    return np.array([f"{text},".encode() for text in texts])


NUMBERS_AT_ONCE = 10_000  # values formatted at a time


def _number_rows(heads: list[np.ndarray], probs: np.ndarray, exact: bool) -> str:
    """"head,...,p1,...,pK\n" for each row, the probabilities as repr (`exact`) or "%.6g"
    writes them, NUMBERS_AT_ONCE values at a time: each block's byte matrices stay in the CPU's
    cache and reuse the same pages (MNIST's 10,000 x 10 in a fresh process: ~8 ms less
    of the whole `lrnn predict`, benchmarks/RESULTS.md)."""
    if exact:  # imported only here: its tables take ~4 ms to build, `lrnn predict` needs none
        from .number_text.shortest import REPR_WIDTH as width, repr_bytes as text_bytes
    else:
        from .number_text.g6 import WIDTH as width, g6_bytes as text_bytes
    rows = max(1, NUMBERS_AT_ONCE // max(probs.shape[1], 1))
    return "".join(_number_block([cells[start:start + rows] for cells in heads],
                                 probs[start:start + rows], width, text_bytes)
                   for start in range(0, len(probs), rows))


def _number_block(heads: list[np.ndarray], probs: np.ndarray, text_width: int,
                  text_bytes) -> str:
    """The rows of _number_rows: one byte matrix of the heads' cells, the numbers
    (`text_bytes`: [values, text_width] NUL-padded text) and the separators, read without
    its NUL padding."""
    from .number_text.g6 import PAD

    n, k = probs.shape
    widths = [cells.itemsize for cells in heads]
    table = np.full((n, sum(widths) + k * (text_width + 1)), PAD, dtype=np.uint8)
    at = 0
    for cells, width in zip(heads, widths):
        table[:, at:at + width] = cells.view(np.uint8).reshape(n, width)
        at += width
    numbers = table[:, at:].reshape(n, k, text_width + 1)
    numbers[:, :, :text_width] = text_bytes(probs).reshape(n, k, text_width)
    numbers[:, :-1, text_width], numbers[:, -1, text_width] = ord(","), ord("\n")
    flat = table.ravel()
    return flat[flat != PAD].tobytes().decode()


def _field_quoter():
    """One field as the csv module writes it in a row of several (an empty one unquoted),
    a formula escaped as safe_cell does."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def quote(value) -> str:
        if value is None or value == "":
            return ""
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_cell(value)])
        return buffer.getvalue()[:-1]

    return quote
