"""scikit-learn's MLP stopping rule on the training loss, as a Trainer `on_epoch` callback."""

from __future__ import annotations

import math


class NoImprovement:
    """Stop once more than `n_iter_no_change` epochs in a row have a training loss that is not
    below the best so far by `tol`. The count carries over between fits (warm_start) and
    partial_fit calls, as in scikit-learn."""

    def __init__(self, tol: float, n_iter_no_change: int):
        self.tol, self.n_iter_no_change = tol, n_iter_no_change
        self.best, self.count = math.inf, 0

    def __call__(self, row: dict) -> bool:
        loss = row["train_loss"]
        self.count = self.count + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        return self.count > self.n_iter_no_change
