"""A logistic regression cross-validated by full-batch L-BFGS, its K folds solved at once: the
out-of-fold logits of every row (lrnn tune scores a small table's trial on them, as
scikit-learn's searches score a candidate by cross-validation).

Why at once: on a small table an L-BFGS iteration is mostly Python (torch.optim.LBFGS and its
line search), not arithmetic. The K problems are stacked side by side into one weight matrix
[F, K * out] and one loss, their sum, so that Python is paid once for all of them. The
problems do not interact: each block of the gradient is its own fold's, and L-BFGS stops when
every block is below the gradient tolerance, as K separate fits would (the tests compare each
fold with scikit-learn's LogisticRegression on the same rows).

Each fold's problem is lrnn train's (full_batch.py): the mean (weighted) log-loss over the fold's
training rows plus alpha / (2 n) * ||W||^2, in float64. The rows were preprocessed once, by a
preprocessor fitted on lrnn's training split, not again per fold as a scikit-learn pipeline
would; standardizing on 80 % of the rows or on all of them moves the scales very little.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ...models.torch_models import n_outputs, to_model_input
from ...preprocessing.prepare import TrainData
from ..device import threads_for_weights
from ..optimizers import lbfgs_optimizer

ROUND = 20  # L-BFGS iterations between two calls of `between_rounds` (an abort check)
KEPT_SOLUTIONS = 32  # warm starts kept (Folds.solutions): a long study's memory stays bounded
TINY = 1e-12  # alpha may be 0: distances in log alpha are taken of alpha + TINY


@dataclass(frozen=True)
class Folds:
    """Every row of the pool and the fold it is held out in."""

    X: torch.Tensor  # [N, F] float64
    y: torch.Tensor  # [N] int64 class indices
    w: torch.Tensor  # [N] float64 row weights (sample weights; ones without)
    fold: torch.Tensor  # [N] int64, 0 .. k - 1
    k: int
    n_classes: int
    # (alpha, balanced) -> the solution found for it: a later fit starts from the nearest
    # one (in log alpha, same weighting). The optimum is the same from any start, reached in
    # fewer iterations from a near one: as scikit-learn's LogisticRegressionCV warm-starts
    # along its path of C.
    solutions: dict = field(default_factory=dict, compare=False, repr=False)

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
        """[N, k]: each row's weight in fold k's training loss, 0 where fold k holds it out.
        `balanced`: times n_k / (n_classes * the fold's training rows of the row's class),
        scikit-learn's "balanced" computed on the fold's training rows, as a search refits it."""
        trains = self.fold[:, None] != torch.arange(self.k, device=self.fold.device)[None, :]
        weights = trains.double() * self.w[:, None]
        if balanced:
            counts = torch.stack([torch.bincount(self.y[trains[:, k]], minlength=self.n_classes)
                                  for k in range(self.k)]).double()  # [k, classes]
            per_class = trains.sum(0)[:, None] / (self.n_classes * counts.clamp(min=1))
            weights = weights * per_class.t()[self.y]
        return weights

    def remember(self, alpha: float, balanced: bool, weight: torch.Tensor,
                 bias: torch.Tensor) -> None:
        self.solutions[(alpha, balanced)] = (weight, bias)
        if len(self.solutions) > KEPT_SOLUTIONS:  # the oldest goes (dicts keep their order)
            del self.solutions[next(iter(self.solutions))]

    def start(self, alpha: float, balanced: bool) -> tuple[torch.Tensor, torch.Tensor]:
        """(weight [F, k * out], bias [k * out]) to start from, as new leaf tensors: the
        solution of the nearest alpha solved before with the same weighting, else zeros."""
        near = [key for key in self.solutions if key[1] == balanced]
        if near:
            nearest = min(near, key=lambda key: abs(math.log((key[0] + TINY) / (alpha + TINY))))
            weight, bias = self.solutions[nearest]
            return weight.clone().requires_grad_(), bias.clone().requires_grad_()
        outputs = self.k * n_outputs(self.n_classes)
        zeros = dict(dtype=self.X.dtype, device=self.X.device, requires_grad=True)
        return torch.zeros(self.X.shape[1], outputs, **zeros), torch.zeros(outputs, **zeros)


def out_of_fold_logits(folds: Folds, alpha: float, lr: float, tol: float, max_iter: int,
                       balanced: bool = False,
                       between_rounds: Callable[[], None] | None = None
                       ) -> tuple[torch.Tensor, int]:
    """([N, out] float64 logits of each row by the model of the fold that held it out,
    L-BFGS iterations run). `between_rounds` is called every ROUND iterations (it may raise
    to stop).

    The folds' weights sit side by side in one [F, k * out] matrix, so that the logits of
    every fold are one matrix product: 0.2 ms on digits' 1,438 x 64 rows (k = 5, 10 classes,
    float64, one thread) against 1.9 ms for the batched product of a [k, F, out] stack."""
    X, k = folds.X, folds.k
    weight, bias = folds.start(alpha, balanced)
    row_weights = folds.row_weights(balanced)  # [N, k]
    rows = (len(X) - torch.bincount(folds.fold, minlength=k)).to(X.dtype)  # training rows
    optimizer = lbfgs_optimizer([weight, bias], lr, tol)

    def closure():
        optimizer.zero_grad()
        logits = torch.addmm(bias, X, weight).view(len(X), k, -1)
        penalty = (alpha / 2) * (weight * weight).view(len(weight), k, -1).sum((0, 2))
        loss = (((_row_losses(logits, folds.y) * row_weights).sum(0) + penalty) / rows).sum()
        loss.backward()
        return loss

    with threads_for_weights(weight.numel() // k, X.device):
        done = _solve(optimizer, closure, max_iter, between_rounds)
    folds.remember(alpha, balanced, weight.detach(), bias.detach())
    with torch.no_grad():
        logits = torch.addmm(bias, X, weight).view(len(X), k, -1)
        return logits[torch.arange(len(X), device=X.device), folds.fold], done


def _row_losses(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[N, k] log-losses of logits [N, k, out]: binary cross-entropy on one output,
    cross-entropy on several."""
    n, k, _ = logits.shape
    if logits.shape[2] == 1:
        return F.binary_cross_entropy_with_logits(logits[..., 0], y.to(logits.dtype)[:, None]
                                                  .expand(n, k), reduction="none")
    # log-sum-exp shifted by the detached row maximum, written out: 0.58 ms forward and
    # backward on digits' [1438, 5, 10] against 1.62 ms for log_softmax, whose kernel is slow
    # over a last dimension of a few classes
    shifted = logits - logits.detach().amax(2, keepdim=True)
    picked = shifted.gather(2, y.view(n, 1, 1).expand(n, k, 1))[..., 0]
    return shifted.exp().sum(2).log() - picked


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
