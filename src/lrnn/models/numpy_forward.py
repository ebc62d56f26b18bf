"""A saved model's forward pass in numpy.

Why not torch: `import torch` alone takes ~1.8 s on a 2-core machine, longer than loading a
model and predicting 10,000 MNIST rows with numpy. Training uses the torch modules of
torch_models.py; everything after training (the test metrics in metrics.json, `lrnn predict`,
`lrnn evaluate`, the estimators' predict) goes through this one path, so they agree exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..artifacts.model_schema import expected_shapes, layer_names
from ..errors import ArtifactError
from ..preprocessing.images import PIXEL_SCALE
from .activations import ACTIVATIONS, sigmoid

# Rows a forward pass takes at a time: bounds the hidden activations' memory on large inputs,
# and keeps a chunk's float copy in the CPU's cache. MNIST's 10,000 test images in a fresh
# process: 16-30 ms in chunks of 65,536, 7-8 ms in chunks of 1,024 (benchmarks/RESULTS.md).
CHUNK_ROWS = 1024
# The forward pass's float type, architecture key "dtype": float32 for `lrnn train` runs;
# float64 for the scikit-learn estimators, whose answers must not depend on how rows are
# batched (scikit-learn's checks compare single rows with whole batches to 1e-7).
FORWARD_DTYPES = {"float32": np.float32, "float64": np.float64}


def model_input(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Rows as the model takes them: uint8 pixels become float32 in [0, 1] (into `out`, a
    float32 array of x's shape, when given)."""
    if x.dtype == np.uint8:
        return np.multiply(x, np.float32(PIXEL_SCALE), out=out, dtype=np.float32)  # one pass
    return x.astype(np.float32, copy=False)


class NumpyModel:
    def __init__(self, arch: dict[str, Any], weights: dict[str, np.ndarray], source: str = ""):
        try:
            expected = expected_shapes(arch)
            activation = ACTIVATIONS[arch["activation"]].numpy if arch["model"] == "mlp" else None
            dtype = FORWARD_DTYPES[arch.get("dtype", "float32")]
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"{source}: unusable architecture ({exc.__class__.__name__}: "
                                f"{exc})") from None
        found = {name: tuple(w.shape) for name, w in weights.items()}
        if found != expected:
            raise ArtifactError(f"{source}: the weights do not match the architecture in "
                                f"model.json (expected {expected}, found {found})")
        for name, w in weights.items():
            if not np.isfinite(w).all():
                raise ArtifactError(f"{source}: tensor {name} holds NaN or infinite values")
        self.arch = arch
        self.activation = activation
        self.layers = [(weights[f"{n}.weight"].astype(dtype).T.copy(),
                        weights[f"{n}.bias"].astype(dtype)) for n in layer_names(arch)]

    def logits(self, X: np.ndarray) -> np.ndarray:
        """[N, outputs] logits (float32, or the architecture's dtype) for stored-form rows
        (uint8 pixels or float32)."""
        weight_t, bias = self.layers[-1]
        out = np.empty((len(X), bias.shape[0]), dtype=np.result_type(weight_t, np.float32))
        # one float buffer for every chunk of pixels: a fresh one each chunk was fresh pages
        # from the system each time (MNIST's 10,000 images in a new process: ~9 -> ~5 ms)
        pixels = np.empty((min(len(X), CHUNK_ROWS), *X.shape[1:]), np.float32) \
            if X.dtype == np.uint8 else None
        for i in range(0, len(X), CHUNK_ROWS):
            chunk = X[i:i + CHUNK_ROWS]
            x = model_input(chunk, pixels[:len(chunk)] if pixels is not None else None)
            out[i:i + CHUNK_ROWS] = self._forward(x)
        return out

    def _forward(self, x: np.ndarray) -> np.ndarray:
        for i, (weight_t, bias) in enumerate(self.layers):
            x = x @ weight_t + bias
            if i < len(self.layers) - 1:
                x = self.activation(x)
        return x


def probabilities(logits: np.ndarray) -> np.ndarray:
    """[N, K] class probabilities; binary [N, 1] logits give [1 - p, p]."""
    logits = logits.astype(np.float64)
    if logits.shape[1] == 1:
        p = sigmoid(logits[:, 0])
        return np.stack([1 - p, p], axis=1)
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def predicted_classes(logits: np.ndarray, threshold: float) -> np.ndarray:
    """Class indices. Binary: p >= threshold, compared in logit space."""
    if logits.shape[1] == 1:
        return (logits[:, 0] >= math.log(threshold / (1 - threshold))).astype(np.int64)
    return logits.argmax(axis=1)


def mean_loss(logits: np.ndarray, y: np.ndarray) -> float:
    """The training loss (BCE-with-logits or cross-entropy), averaged, in float64."""
    z = logits.astype(np.float64)
    if z.shape[1] == 1:
        z = z[:, 0]
        return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    top = z.max(axis=1, keepdims=True)
    log_norm = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return float(np.mean(log_norm - z[np.arange(len(y)), y]))
