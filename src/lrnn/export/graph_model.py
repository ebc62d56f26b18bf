"""The network and its outputs, from the weights as inference.NumpyModel holds them (W^T and b
per layer, in the architecture's float type), computing what inference.py computes:
logits = ... act(x @ W^T + b) ..., probabilities in float64 (softmax, or [1 - p, p] for one
logit), the label by argmax or, for one logit, logit >= log(t / (1 - t)) in the logits' type."""

from __future__ import annotations

import math

import numpy as np

from ._lrnn import LEAKY_SLOPE, ArtifactError
from .graph import BATCH, Graph

PROBABILITIES = "probabilities"
LABEL = "label"
OUTPUTS = (PROBABILITIES, LABEL)


def network(g: Graph, layers: list[tuple[np.ndarray, np.ndarray]], activation: str | None,
            features: str) -> str:
    """Logits [N, outputs] from float32 features [N, n_features]."""
    dtype = layers[0][0].dtype
    x = features
    if dtype == np.float64:  # float32 features times float64 weights, as numpy promotes them
        x = g.node("Cast", [x], "features_d", to=g.onnx.TensorProto.DOUBLE)
    for i, (weight_t, bias) in enumerate(layers):
        x = g.node("MatMul", [x, g.const(weight_t, f"weight_t{i}")], f"matmul{i}")
        x = g.node("Add", [x, g.const(bias, f"bias{i}")], f"layer{i}")
        if i < len(layers) - 1:
            x = activate(g, x, activation, dtype)
    return x


def activate(g: Graph, x: str, name: str, dtype: np.dtype) -> str:
    """inference.ACTIVATIONS as ONNX nodes. onnxruntime has Erf, Elu and LeakyRelu for float32
    only, so float64 models spell the last two out; GELU's erf runs in float32 for them (its
    error, ~1e-7 of the activation, stays far inside the 1e-5 that export checks)."""
    simple = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid"}
    if name in simple:
        return g.node(simple[name], [x])
    if name == "identity":
        return x
    if name == "silu":
        return g.node("Mul", [x, g.node("Sigmoid", [x])], "silu")
    if name == "gelu":
        return _gelu(g, x, dtype)
    double = dtype == np.float64
    if name == "leaky_relu" and not double:
        return g.node("LeakyRelu", [x], alpha=LEAKY_SLOPE)
    if name == "elu" and not double:
        return g.node("Elu", [x], alpha=1.0)
    zero = g.const([0], "zero", dtype)
    if name == "leaky_relu":
        slope = g.node("Mul", [x, g.const([LEAKY_SLOPE], "slope", dtype)], "sloped")
        return g.node("Where", [g.node("GreaterOrEqual", [x, zero]), x, slope], "leaky_relu")
    if name == "elu":
        negative = g.node("Exp", [g.node("Min", [x, zero])], "exp")
        below = g.node("Sub", [negative, g.const([1], "one", dtype)], "expm1")
        return g.node("Where", [g.node("Greater", [x, zero]), x, below], "elu")
    raise ArtifactError(f"model.json: activation {name!r} has no ONNX form in this lrnn")


def _gelu(g: Graph, x: str, dtype: np.dtype) -> str:
    """0.5 * x * (1 + erf(x / sqrt(2))), in numpy's order of operations."""
    T = g.onnx.TensorProto
    scaled = g.node("Div", [x, g.const([np.sqrt(2, dtype=dtype)], "sqrt2", dtype)], "x_sqrt2")
    if dtype == np.float64:
        scaled = g.node("Cast", [scaled], "x_sqrt2_f", to=T.FLOAT)
    erf = g.node("Erf", [scaled])
    if dtype == np.float64:
        erf = g.node("Cast", [erf], "erf_d", to=T.DOUBLE)
    half = g.node("Mul", [x, g.const([0.5], "half", dtype)], "half_x")
    return g.node("Mul", [half, g.node("Add", [erf, g.const([1], "one", dtype)])], "gelu")


def outputs(g: Graph, logits: str, n_outputs: int, dtype: np.dtype, classes: list,
            threshold: float) -> None:
    """`probabilities` float32 [N, K] and `label` [N] (the class labels: int64 when every label
    is an integer, text otherwise)."""
    T = g.onnx.TensorProto
    z = g.node("Cast", [logits], "logits_d", to=T.DOUBLE)
    if n_outputs == 1:
        p = g.node("Sigmoid", [z], "p")
        q = g.node("Sub", [g.const([1.0], "one", np.float64), p], "q")
        probs = g.node("Concat", [q, p], "probs_d", axis=1)
        cut = g.const([math.log(threshold / (1 - threshold))], "logit_threshold", dtype)
        positive = g.node("Cast", [g.node("GreaterOrEqual", [logits, cut])], "positive",
                          to=T.INT64)
        index = g.node("Reshape", [positive, g.const([-1], "flat", np.int64)], "index")
    else:
        probs = g.node("Softmax", [z], "probs_d", axis=1)
        index = g.node("ArgMax", [logits], "index", axis=1, keepdims=0)
    g.node("Cast", [probs], output=PROBABILITIES, to=T.FLOAT)
    labels = label_values(classes)
    g.node("Gather", [g.const(labels, "classes"), index], output=LABEL, axis=0)
    g.add_output(PROBABILITIES, T.FLOAT, [BATCH, len(classes)],
                 "class probabilities, columns in the order of the labels: " +
                 ", ".join(map(str, classes)))
    g.add_output(LABEL, T.INT64 if labels.dtype == np.int64 else T.STRING, [BATCH],
                 "the predicted class label, as lrnn predict writes it")


def label_values(classes: list) -> np.ndarray:
    """int64 when every label is the text of an integer (as `lrnn predict` writes them, they
    read back as integers), else the texts."""
    texts = [str(c) for c in classes]
    if all(_is_integer(t) for t in texts):
        return np.array([int(t) for t in texts], dtype=np.int64)
    return np.array(texts, dtype=object)


def _is_integer(text: str) -> bool:
    try:
        return str(int(text)) == text
    except ValueError:
        return False
