"""The inputs of a table model, one per raw column ([N, 1]), encoded inside the graph by the rules
of preprocessing/tables.py, and the one input of a model fitted on a matrix.

Numbers come in as float32 and are imputed and standardized in float64, as tables.py does, then
stored as float32 like its feature matrix; all number columns go through the same few nodes.
Categories come in as the text lrnn makes of a value (tables.as_text), "" meaning missing;
ai.onnx.ml's LabelEncoder maps each text to its one-hot position with lrnn's rules (missing,
(other), unseen), and Equal against the positions makes the 0/1 columns. OneHotEncoder is not
used: it has no position for "missing" apart from an unseen value, and zeros or an error are
its only choices for the unseen ones.
"""

from __future__ import annotations

import numpy as np

from ._lrnn import ArtifactError, InputError, width
from .graph import BATCH, INTERNAL, ML_DOMAIN, Graph

MATRIX = "X"
NUMBER_DOC = "number, NaN = missing (dates: days since 1970-01-01)"
CATEGORY_DOC = "category text, '' = missing"


def check_input_name(name: str, reserved: tuple[str, ...]) -> None:
    if name in reserved or name.startswith(INTERNAL):
        raise InputError(f"column '{name}': cannot be an input of the ONNX graph, whose outputs "
                         f"are named {' and '.join(reserved)} and whose inner names start with "
                         f"'{INTERNAL}'; rename the column and train again")


def table_features(g: Graph, state: dict, reserved: tuple[str, ...]) -> tuple[str, np.ndarray]:
    """Adds one input per column; returns float32 features [N, features] and, for each of
    them, its position in lrnn's feature order. All number columns are encoded together (a
    few nodes however many columns), so the graph's feature order differs from lrnn's; the
    first layer's weights are put in the graph's order instead of moving the features."""
    T = g.onnx.TensorProto
    numbers, categories, position = [], [], 0
    for col in state["columns"]:  # the inputs in the columns' order
        check_input_name(col["name"], reserved)
        if col["type"] not in ("numeric", "categorical"):
            raise ArtifactError(f"model.json: column '{col['name']}' has preprocessing type "
                                f"{col['type']!r}; expected numeric or categorical")
        number = col["type"] == "numeric"
        g.add_input(col["name"], T.FLOAT if number else T.STRING, [BATCH, 1],
                    NUMBER_DOC if number else CATEGORY_DOC)
        (numbers if number else categories).append((col, position))
        position += width(col)
    blocks, order = _numbers(g, numbers) if numbers else ([], [])
    for col, start in categories:
        blocks += _categorical(g, col)
        order += range(start, start + width(col))
    return g.node("Concat", blocks, "features", axis=1), np.array(order, dtype=np.int64)


def _numbers(g: Graph, numbers: list[tuple[dict, int]]) -> tuple[list[str], list[int]]:
    """The number columns as one [N, k] block (and one of their missing indicators)."""
    T = g.onnx.TensorProto
    cols = [col for col, _ in numbers]
    joined = g.node("Concat", [col["name"] for col in cols], "numbers", axis=1)
    x64 = g.node("Cast", [joined], "numbers_d", to=T.DOUBLE)
    missing = g.node("IsNaN", [x64], "missing")
    median, mean, std = (g.const([col[key] for col in cols], key, np.float64)
                         for key in ("median", "mean", "std"))
    filled = g.node("Where", [missing, median, x64], "imputed")
    scaled = g.node("Div", [g.node("Sub", [filled, mean], "centred"), std], "scaled")
    blocks = [g.node("Cast", [scaled], "standardized", to=T.FLOAT)]
    order = [start for _, start in numbers]
    flagged = [i for i, col in enumerate(cols) if col["indicator"]]
    if flagged:
        picked = g.node("Gather", [missing, g.const(flagged, "flagged", np.int64)], "flags",
                        axis=1)
        blocks.append(g.node("Cast", [picked], "indicators", to=T.FLOAT))
        order += [numbers[i][1] + 1 for i in flagged]
    return blocks, order


def category_codes(col: dict) -> tuple[list[str], list[int], int]:
    """(texts, their one-hot positions, the position of any other text; -1: none), by the rule
    of tables._encode_categorical: levels in order, then (missing), then (other)."""
    levels = list(col["levels"])
    if "" in levels:
        raise InputError(f"column '{col['name']}': has a level '' (an empty text), which the "
                         f"ONNX input uses for a missing value; the graph cannot tell them apart")
    unseen = len(levels) + col["missing"] if col["other"] else -1
    keys, codes = levels, list(range(len(levels)))
    if col["missing"]:
        keys, codes = keys + [""], codes + [len(levels)]
    return keys, codes, unseen


def _categorical(g: Graph, col: dict) -> list[str]:
    T = g.onnx.TensorProto
    keys, codes, unseen = category_codes(col)
    if width(col) == 0:
        return []  # no level columns: nothing to encode, the input is read and unused
    if not keys:
        raise ArtifactError(f"model.json: column '{col['name']}' has {width(col)} level columns "
                            f"but no levels")
    position = g.node("LabelEncoder", [col["name"]], "position", domain=ML_DOMAIN,
                      keys_strings=keys, values_int64s=codes, default_int64=unseen)  # [N, 1]
    # Range(0, width) rather than a stored arange: a few bytes however many levels
    columns = g.node("Range", [g.shared(0, np.int64), g.const(width(col), "width", np.int64),
                               g.shared(1, np.int64)], "positions")
    hot = g.node("Equal", [position, columns], "one_hot")  # [N, 1] == [width] -> [N, width]
    return [g.node("Cast", [hot], "one_hot_f", to=T.FLOAT)]


def matrix_features(g: Graph, state: dict) -> tuple[str, None]:
    """A model fitted on a matrix (the scikit-learn estimators): the matrix as it is."""
    T = g.onnx.TensorProto
    names = list(state["features"])
    doc = "float32 rows [N, features], columns in this order: " + ", ".join(names)
    return g.add_input(MATRIX, T.FLOAT, [BATCH, len(names)], doc), None
