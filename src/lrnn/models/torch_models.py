"""The two models as torch modules, built from the architecture description that model.json
stores. Models return logits; the losses apply sigmoid or softmax (losses.py)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..preprocessing.images import PIXEL_SCALE
from .activations import ACTIVATIONS


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

        linear = self.linear
        if linear.out_features == 1:  # two classes: sigmoid and binary cross-entropy
            logits = self.forward(x)
            z, target = logits.squeeze(1), y.to(logits.dtype)
            per_row = F.binary_cross_entropy_with_logits(z, target, reduction="none")
            residual = (torch.sigmoid(z) - target).unsqueeze(1)
            return self._gradients(x, per_row, residual, w, len(y)), logits
        # Classes by rows, the batch's rows by columns (K x B, contiguous): log_softmax and the
        # gathers then run along the short axis of a contiguous matrix, ~10x faster than along
        # the rows of the transposed view forward() gives (MNIST, 100 rows: 1.8 vs 18 us).
        logits_t = torch.addmm(linear.bias.unsqueeze(1), linear.weight, x.t())
        log_p = torch.log_softmax(logits_t, dim=0)
        rows = y.unsqueeze(0)
        picked = log_p.gather(0, rows)
        residual_t = log_p.exp_().scatter_add_(0, rows, torch.full_like(picked, -1))
        loss = self._gradients(x, picked.neg().squeeze(0), residual_t.t(), w, len(y))
        return loss, logits_t.t()

    def _gradients(self, x, per_row, residual, w, rows: int) -> torch.Tensor:
        """Write the gradients of the mean (weighted) loss given d loss / d logits of each row
        (`residual`, rows x outputs, any layout); the loss."""
        if w is not None:
            per_row, residual = per_row * w, residual * w.unsqueeze(1)
        residual.div_(rows)  # each a new tensor of this step's
        self.linear.weight.grad = residual.t() @ x
        self.linear.bias.grad = residual.sum(0)
        return per_row.mean()


class MLPModule(nn.Module):
    """Hidden layers `hidden.0`, `hidden.1`, ... then `output`: the weight names do not depend
    on the activation or dropout, so numpy inference can find each layer (see inference.py)."""

    def __init__(self, n_features: int, hidden_layer_sizes: list[int], n_outputs: int,
                 activation: str, dropout: float):
        super().__init__()
        widths = [n_features, *hidden_layer_sizes]
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.output = nn.Linear(widths[-1], n_outputs)
        self.activation = getattr(nn, ACTIVATIONS[activation].torch_module)()
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


def numpy_weights(model: nn.Module) -> dict:
    """The model's tensors as numpy arrays, by state-dict name (what model.safetensors holds)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}
