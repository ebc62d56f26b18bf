"""The two models and what depends only on them: building from an architecture description,
the loss, probabilities and predicted classes. Models return logits."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .preprocessing.images import PIXEL_SCALE

ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU, "silu": nn.SiLU, "elu": nn.ELU, "identity": nn.Identity,
}
EVAL_CHUNK = 8192


class LogisticRegressionModule(nn.Module):
    """One linear layer: one output (sigmoid) for two classes, K outputs (softmax) for K."""

    def __init__(self, n_features: int, n_outputs: int):
        super().__init__()
        self.linear = nn.Linear(n_features, n_outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (W x^T)^T rather than x W^T: with few outputs MKL computes this orientation ~1.5x
        # faster (784 -> 10, one thread: 29 vs 43 us for 100 rows, 3.7 vs 5.6 ms for 8,192);
        # the same numbers up to float rounding
        linear = self.linear
        return torch.mm(linear.weight, x.t()).t() + linear.bias

    @torch.no_grad()
    def loss_and_gradients(self, x: torch.Tensor, y: torch.Tensor,
                           w: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, logits) of a batch as `loss_function` defines the loss, with its gradients
        written to .grad, without autograd. For one linear layer the gradient has a closed
        form: d loss / d logits = w * (p - onehot(y)) / rows, p the softmax (or sigmoid) of
        the logits. Skipping autograd's graph takes ~20 % off a training step (MNIST,
        batches of 100, one thread: ~172 vs ~210 us); tests compare it with autograd."""
        import torch.nn.functional as F

        logits = self.forward(x)
        if logits.shape[1] == 1:  # two classes: sigmoid and binary cross-entropy
            z, target = logits.squeeze(1), y.to(logits.dtype)
            per_row = F.binary_cross_entropy_with_logits(z, target, reduction="none")
            residual = (torch.sigmoid(z) - target).unsqueeze(1)
        else:
            log_p = torch.log_softmax(logits, dim=1)
            picked = log_p.gather(1, y.unsqueeze(1))
            per_row = picked.neg().squeeze(1)
            residual = log_p.exp_().scatter_add_(1, y.unsqueeze(1), torch.full_like(picked, -1))
        if w is not None:
            per_row, residual = per_row * w, residual * w.unsqueeze(1)
        residual.div_(len(y))
        self.linear.weight.grad = residual.t() @ x
        self.linear.bias.grad = residual.sum(0)
        return per_row.mean(), logits


class MLPModule(nn.Module):
    """Hidden layers `hidden.0`, `hidden.1`, ... then `output`: the weight names do not depend
    on the activation or dropout, so numpy inference can find each layer (see inference.py)."""

    def __init__(self, n_features: int, hidden_layer_sizes: list[int], n_outputs: int,
                 activation: str, dropout: float):
        super().__init__()
        widths = [n_features, *hidden_layer_sizes]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.output = nn.Linear(widths[-1], n_outputs)
        self.activation = ACTIVATIONS[activation]()
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.hidden:
            x = self.dropout(self.activation(layer(x)))
        return self.output(x)


def to_model_input(x: torch.Tensor) -> torch.Tensor:
    """A batch as the model takes it: uint8 pixels become float32 in [0, 1]."""
    if x.dtype == torch.uint8:
        return x.to(torch.float32).mul_(PIXEL_SCALE)
    return x


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
    """Loss over a batch: BCE-with-logits for two classes, cross-entropy for more. With row
    weights w it is sum(w * loss) / rows, an unbiased estimate of the full weighted mean."""
    import torch.nn.functional as F

    def per_row(logits, y, reduction):
        if n_classes == 2:
            return F.binary_cross_entropy_with_logits(logits.squeeze(1), y.to(logits.dtype),
                                                      reduction=reduction)
        return F.cross_entropy(logits, y, reduction=reduction)

    def loss(logits, y, w=None, reduction="mean"):
        """reduction "mean" as above; "sum": the rows' (weighted) losses added up."""
        if w is None:
            return per_row(logits, y, reduction)
        weighted = per_row(logits, y, "none") * w
        return weighted.sum() if reduction == "sum" else weighted.mean()

    return loss


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
