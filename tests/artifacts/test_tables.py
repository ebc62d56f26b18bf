"""predictions.csv as the csv module writes it, whatever the class names, IDs and values."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from lrnn.artifacts.tables import predictions_csv


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


@pytest.mark.parametrize("exact", [True, False])
def test_same_text_as_the_csv_module(exact):
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), 9)
    probs[:3] = [[np.nan, np.inf, -0.0], [1e-300, 5e-324, 1e300], [1 / 3, 2 / 3, 1e16]]
    labels, true = np.arange(9) % 3, rng.integers(0, 3, 9)
    classes = ["a,b", 'say "hi"', "line\nbreak"]
    ids = ("an id,", ["x,y", None, 3.5, 7, 'q"', "", "ok\r", " a ", "é"])
    for kwargs in ({}, {"true": true}, {"ids": ids}, {"ids": ids, "true": true}):
        assert predictions_csv(classes, labels, probs, exact=exact, **kwargs) == \
            csv_module(classes, labels, probs, exact=exact, **kwargs), kwargs
    text = predictions_csv(classes, labels, probs, exact=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][1:] == [f"proba_{c}" for c in classes] and rows[3][0] == classes[2]
    assert float(rows[4][2]) == probs[3, 1]  # exact: the float itself
