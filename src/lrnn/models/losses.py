"""The loss, and the probabilities and classes the models' logits stand for, in torch (the
training side; numpy_forward.py has the same for inference)."""

from __future__ import annotations

import math

import torch
from torch import nn

from .activations import ACTIVATIONS
from .torch_models import LogisticRegressionModule, MLPModule, to_model_input

# Rows scored at a time: a chunk's float copy stays in the CPU's cache (MNIST's 10,000 test
# rows on one thread: 14.8 ms in chunks of 8,192, 9.7 ms in chunks of 1,024).
EVAL_CHUNK = 1024
# Parts that compute the same in training and evaluation mode (no dropout, no batch norm).
MODE_FREE = (LogisticRegressionModule, MLPModule, nn.Linear, nn.Identity, nn.ModuleList,
             *(getattr(nn, a.torch_module) for a in ACTIVATIONS.values()))


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
    # max's indices, the same first largest as argmax's, ~3x faster for a few classes and
    # ~5x on the transposed logits of a logistic regression (100 x 10: 3.9 vs 13.8 us)
    return logits.max(dim=1).indices


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """[N, K] class probabilities; binary [N, 1] logits give [1 - p, p]."""
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits)
        return torch.cat([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


def mode_free(model: nn.Module) -> bool:
    """Whether the model computes the same in training and evaluation mode: every part of it
    is one of MODE_FREE (its exact type: a subclass may read `self.training`)."""
    return all(type(part) in MODE_FREE for part in model.modules())


@torch.no_grad()
def logits_of(model: nn.Module, X: torch.Tensor, chunk: int = EVAL_CHUNK) -> torch.Tensor:
    """Logits for all rows, in fixed-size chunks so training-time evaluation and `predict`
    compute exactly the same numbers. The model is put in evaluation mode and back only when
    that changes what it computes: the two walks over its modules were ~9 % of a small
    table's tuning trial (wine, an MLP scored after every one-batch epoch)."""
    switch = not mode_free(model)
    was_training = model.training
    if switch:
        model.eval()
    out = [model(to_model_input(X[i:i + chunk])) for i in range(0, len(X), chunk)]
    if switch:
        model.train(was_training)
    if not out:
        return torch.empty(0, 1, device=X.device)
    return out[0] if len(out) == 1 else torch.cat(out)


def scores(model: nn.Module, data, loss_fn, threshold: float) -> tuple[float, float]:
    """(mean loss, accuracy) of the model on `data` (rows X, labels y); the model's mode is
    left as it was."""
    logits = logits_of(model, data.X)
    correct = (predicted_classes(logits, threshold) == data.y).sum()
    return float(loss_fn(logits, data.y)), float(correct) / len(data.y)
