"""A logistic regression cross-validated by full-batch L-BFGS, its K folds solved at once: the
out-of-fold logits of every row (lrnn tune scores a small table's trial on them, as
scikit-learn's searches score a candidate by cross-validation).

Why at once: on a small table an L-BFGS iteration is mostly Python (torch.optim.LBFGS and its
line search), not arithmetic. The K problems are stacked into one weight tensor [K, F, out]
and one loss, their sum, so that Python is paid once for all of them. The problems do not
interact: each block of the gradient is its own fold's, and L-BFGS stops when every block is
below the gradient tolerance, as K separate fits would (the tests compare each fold with
scikit-learn's LogisticRegression on the same rows).

Each fold's problem is lrnn train's (full_batch.py): the mean (weighted) log-loss over the fold's
training rows plus alpha / (2 n) * ||W||^2, in float64. The rows were preprocessed once, by a
preprocessor fitted on lrnn's training split, not again per fold as a scikit-learn pipeline
would; standardizing on 80 % of the rows or on all of them moves the scales very little.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ...models.torch_models import n_outputs, to_model_input
from ...preprocessing.prepare import TrainData
from ..device import threads_for_weights
from ..optimizers import lbfgs_optimizer

ROUND = 20  # L-BFGS iterations between two calls of `between_rounds` (an abort check)


@dataclass(frozen=True)
class Folds:
    """Every row of the pool and the fold it is held out in."""

    X: torch.Tensor  # [N, F] float64
    y: torch.Tensor  # [N] int64 class indices
    w: torch.Tensor  # [N] float64 row weights (sample weights; ones without)
    fold: torch.Tensor  # [N] int64, 0 .. k - 1
    k: int
    n_classes: int

    @classmethod
    def of(cls, parts: list[TrainData], fold: np.ndarray, n_classes: int) -> "Folds":
        """The rows of `parts` (the training and validation splits) pooled in that order;
        `fold` numbers the pooled rows."""
        X = torch.cat([to_model_input(p.X).double() for p in parts])
        w = torch.cat([p.w.double() if p.w is not None else
                       torch.ones(len(p), dtype=torch.float64, device=p.y.device) for p in parts])
        y = torch.cat([p.y for p in parts])
        return cls(X, y, w, torch.from_numpy(fold).to(y.device), int(fold.max()) + 1, n_classes)

    def row_weights(self, balanced: bool) -> torch.Tensor:
        """[k, N]: each row's weight in fold k's training loss, 0 where fold k holds it out.
        `balanced`: times n_k / (n_classes * the fold's training rows of the row's class),
        scikit-learn's "balanced" computed on the fold's training rows, as a search refits it."""
        trains = (self.fold[None, :] != torch.arange(self.k, device=self.fold.device)[:, None])
        weights = trains.double() * self.w
        if balanced:
            counts = torch.stack([torch.bincount(self.y[t], minlength=self.n_classes)
                                  for t in trains]).double()  # [k, classes]
            per_class = trains.sum(1, keepdim=True) / (self.n_classes * counts.clamp(min=1))
            weights = weights * per_class.gather(1, self.y.expand(self.k, -1))
        return weights


def out_of_fold_logits(folds: Folds, alpha: float, lr: float, tol: float, max_iter: int,
                       balanced: bool = False,
                       between_rounds: Callable[[], None] | None = None
                       ) -> tuple[torch.Tensor, int]:
    """([N, out] float64 logits of each row by the model of the fold that held it out,
    L-BFGS iterations run). `between_rounds` is called every ROUND iterations (it may raise
    to stop)."""
    X, k = folds.X, folds.k
    outputs = n_outputs(folds.n_classes)
    weight = torch.zeros(k, X.shape[1], outputs, dtype=X.dtype, device=X.device,
                         requires_grad=True)
    bias = torch.zeros(k, 1, outputs, dtype=X.dtype, device=X.device, requires_grad=True)
    row_weights = folds.row_weights(balanced)
    rows = (folds.fold[None, :] != torch.arange(k, device=X.device)[:, None]).sum(1)
    optimizer = lbfgs_optimizer([weight, bias], lr, tol)

    def closure():
        optimizer.zero_grad()
        losses = _row_losses(torch.matmul(X, weight) + bias, folds.y)  # [k, N]
        penalty = (alpha / 2) * (weight * weight).sum((1, 2))
        loss = (((losses * row_weights).sum(1) + penalty) / rows).sum()
        loss.backward()
        return loss

    with threads_for_weights(weight.numel() // k, X.device):
        done = _solve(optimizer, closure, max_iter, between_rounds)
    with torch.no_grad():
        logits = torch.matmul(X, weight) + bias
        return logits[folds.fold, torch.arange(len(X), device=X.device)], done


def _row_losses(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[k, N] log-losses: binary cross-entropy on one output, cross-entropy on several."""
    k = logits.shape[0]
    if logits.shape[2] == 1:
        return F.binary_cross_entropy_with_logits(logits[..., 0], y.to(logits.dtype).expand(k, -1),
                                                  reduction="none")
    return F.cross_entropy(logits.transpose(1, 2), y.expand(k, -1), reduction="none")


def _solve(optimizer, closure, max_iter: int, between_rounds) -> int:
    """L-BFGS iterations until converged or `max_iter`, in rounds of ROUND."""
    state = optimizer.state[optimizer.param_groups[0]["params"][0]]
    done = 0
    while done < max_iter:
        budget = min(ROUND, max_iter - done)
        optimizer.param_groups[0].update(max_iter=budget, max_eval=budget * 5)
        optimizer.step(closure)
        ran = state.get("n_iter", 0) - done
        done += ran
        if ran < budget:  # stopped on its tolerance before its budget
            break
        if between_rounds is not None:
            between_rounds()
    return done
