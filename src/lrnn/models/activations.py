"""The activations an MLP may use: each name (config.names.ACTIVATIONS) with its torch module
and its numpy function, side by side, so that training and numpy inference compute the same
function by construction."""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

from .error_function import erfc

LEAKY_SLOPE = 0.01  # torch.nn.LeakyReLU's default


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^-x) without overflow for large |x|."""
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1 + e)
    return out


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact GELU, as torch.nn.GELU: x P(X <= x) = x/2 erfc(-x/sqrt 2), in float64 and
    rounded once to x's type (erfc, unlike 1 + erf, keeps the small values of negative x)."""
    wide = x.astype(np.float64)
    return (0.5 * wide * erfc(wide * -math.sqrt(0.5))).astype(x.dtype)


class Activation(NamedTuple):
    torch_module: str  # the torch.nn class
    numpy: Callable[[np.ndarray], np.ndarray]


ACTIVATIONS = {
    "relu": Activation("ReLU", lambda x: np.maximum(x, 0)),
    "tanh": Activation("Tanh", np.tanh),
    "gelu": Activation("GELU", gelu),
    "sigmoid": Activation("Sigmoid", sigmoid),
    "leaky_relu": Activation("LeakyReLU",
                             lambda x: np.where(x >= 0, x, x * x.dtype.type(LEAKY_SLOPE))),
    "silu": Activation("SiLU", lambda x: x * sigmoid(x)),
    "elu": Activation("ELU", lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0)))),
    "identity": Activation("Identity", lambda x: x),
}
