"""The two models and what depends only on them: building from an architecture description,
the loss, probabilities and predicted classes. Models return logits."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .preprocessing import to_model_input

ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU, "silu": nn.SiLU, "elu": nn.ELU,
}
EVAL_CHUNK = 8192


class LogisticRegressionModule(nn.Module):
    """One linear layer: one output (sigmoid) for two classes, K outputs (softmax) for K."""

    def __init__(self, n_features: int, n_outputs: int):
        super().__init__()
        self.linear = nn.Linear(n_features, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)


class MLPModule(nn.Module):
    def __init__(self, n_features: int, hidden_layer_sizes: list[int], n_outputs: int,
                 activation: str, dropout: float):
        super().__init__()
        layers: list[nn.Module] = []
        width = n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def n_outputs(n_classes: int) -> int:
    return 1 if n_classes == 2 else n_classes


def architecture(config, n_features: int, n_classes: int) -> dict[str, Any]:
    """The JSON description model.json stores and `build` takes."""
    arch = {"model": config.model, "n_features": n_features, "n_classes": n_classes}
    if config.model == "mlp":
        arch.update(hidden_layer_sizes=list(config.hidden_layer_sizes),
                    activation=config.activation, dropout=config.dropout)
    return arch


def build(arch: dict[str, Any]) -> nn.Module:
    outputs = n_outputs(arch["n_classes"])
    if arch["model"] == "logreg":
        return LogisticRegressionModule(arch["n_features"], outputs)
    return MLPModule(arch["n_features"], arch["hidden_layer_sizes"], outputs,
                     arch["activation"], arch["dropout"])


def loss_function(n_classes: int):
    """Mean loss over a batch: BCE-with-logits for two classes, cross-entropy for more."""
    if n_classes == 2:
        bce = nn.BCEWithLogitsLoss()
        return lambda logits, y: bce(logits.squeeze(1), y.to(logits.dtype))
    return nn.CrossEntropyLoss()


def predicted_classes(logits: torch.Tensor, threshold: float) -> torch.Tensor:
    """Class indices. Binary: p >= threshold, compared in logit space (no sigmoid needed)."""
    if logits.shape[1] == 1:
        return (logits.squeeze(1) >= math.log(threshold / (1 - threshold))).long()
    return logits.argmax(dim=1)


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """[N, K] class probabilities; binary [N, 1] logits give [1 - p, p]."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits)
        return torch.cat([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


@torch.no_grad()
def logits_of(model: nn.Module, X: torch.Tensor, chunk: int = EVAL_CHUNK) -> torch.Tensor:
    """Logits for all rows, in fixed-size chunks so training-time evaluation and `predict`
    compute exactly the same numbers."""
    was_training = model.training
    model.eval()
    out = [model(to_model_input(X[i:i + chunk])) for i in range(0, len(X), chunk)]
    model.train(was_training)
    if not out:
        return torch.empty(0, 1, device=X.device)
    return torch.cat(out)
