"""The rows an exported graph is checked on, and the same rows as the graph's inputs.

The run's own test rows are rebuilt from its config.toml as `lrnn evaluate` rebuilds them (they
are not stored in the run). Generated rows are always added: they reach what the test rows may
not, such as gaps in every column, categories never seen in training and extreme pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import _lrnn
from .graph_images import IMAGES
from .graph_tables import MATRIX

GENERATED_ROWS = 64
UNSEEN_TEXT = "a value never seen in training"


@dataclass(frozen=True)
class Rows:
    X: Any  # as Predictor takes it: uint8 images [N, rows, cols], a pyarrow Table, float32 [N, F]
    what: str

    def __len__(self) -> int:
        return self.X.num_rows if hasattr(self.X, "num_rows") else len(self.X)


def held_out_rows(run_dir: Path, kind: str) -> tuple[Rows | None, str | None]:
    """The run's test rows (rebuilt as `lrnn evaluate` rebuilds them, never downloaded), or
    None and why they cannot be had."""
    if kind == "matrix" or not (run_dir / "config.toml").is_file():
        return None, f"{run_dir} keeps no test rows (a run saved by an estimator)"
    try:
        X, _, what = _lrnn.held_out_test(run_dir, download=False)
    except (_lrnn.LrnnError, OSError) as exc:
        return None, f"the run's test rows could not be rebuilt ({exc})"
    rows = Rows(X, "")
    return Rows(X, f"{len(rows):,} rows of {what}"), None


def generated_rows(state: dict, n: int = GENERATED_ROWS, seed: int = 0) -> Rows:
    rng = np.random.default_rng(seed)
    what = f"{n} generated rows"
    if state["kind"] == "image":
        X = rng.integers(0, 256, size=(n, *state["shape"]), dtype=np.uint8)
        X[0], X[1] = 0, 255
        return Rows(X, what)
    if state["kind"] == "matrix":
        return Rows(3 * rng.standard_normal((n, len(state["features"]))).astype(np.float32), what)
    import pyarrow as pa

    columns = {}
    for j, col in enumerate(state["columns"]):
        if col["type"] == "numeric":
            values = (col["mean"] + 2 * col["std"] * rng.standard_normal(n)).astype(np.float32)
            columns[col["name"]] = pa.array(values.astype(np.float64),
                                            mask=np.arange(n) % 5 == j % 5)
        else:
            unseen = UNSEEN_TEXT
            while unseen in col["levels"]:
                unseen += "'"
            choices = [*col["levels"], None, unseen]
            columns[col["name"]] = pa.array([choices[(i + j) % len(choices)] for i in range(n)],
                                            pa.string())
    return Rows(pa.table(columns), what)


def feeds(state: dict, X) -> dict[str, np.ndarray]:
    """The graph's inputs for rows that Predictor takes, by the conventions of the graph:
    numbers as float32 (NaN: missing), categories as lrnn's text ("" missing)."""
    if state["kind"] == "image":
        rows, cols = state["shape"]
        return {IMAGES: np.ascontiguousarray(np.asarray(X, dtype=np.uint8).reshape(-1, rows, cols))}
    if state["kind"] == "matrix":
        return {MATRIX: np.ascontiguousarray(np.asarray(X, dtype=np.float32))}
    import pyarrow.compute as pc

    out = {}
    for col in state["columns"]:
        column = X.column(col["name"])
        if col["type"] == "numeric":
            values = _lrnn.check_numbers(column, col["name"], "rows", fitting=False)
            out[col["name"]] = values.astype(np.float32).reshape(-1, 1)
        else:
            text = pc.fill_null(_lrnn.as_text(column), "")
            out[col["name"]] = np.asarray(text.to_pylist(), dtype=object).reshape(-1, 1)
    return out
