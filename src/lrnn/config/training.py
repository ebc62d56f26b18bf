"""TrainingSettings: what the training loop reads, and nothing else. `lrnn train` derives them
from a resolved RunConfig; the scikit-learn estimators build them directly from their own
parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import RunConfig


@dataclass(frozen=True)
class TrainingSettings:
    optimizer: str  # sgd, adam, adamw, lbfgs
    lr: float
    schedule: str = "none"
    batch_size: int | None = None  # None: the full batch (lbfgs)
    epochs: int | None = None  # lbfgs: iterations; None when `iterations` sets the length
    iterations: int | None = None
    alpha: float = 0.0  # L2 strength: alpha / (2 n_train) * sum(W^2)
    momentum: float | None = None  # sgd
    nesterov: bool = False
    tol: float = 1e-4  # early stopping's smallest improvement; lbfgs' gradient tolerance
    early_stopping: bool = False
    patience: int = 5
    threshold: float = 0.5  # two classes: the positive class when p >= threshold
    seed: int = 0  # the batch order
    eval_every: int | None = None  # --eval-every: the test accuracy every N steps
    checkpoint_every: int | None = None


def training_settings(config: "RunConfig") -> TrainingSettings:
    """The training loop's part of a resolved RunConfig (recipes.resolve)."""
    return TrainingSettings(
        optimizer=config.optimizer, lr=config.lr, schedule=config.schedule,
        batch_size=config.batch_size, epochs=config.epochs, iterations=config.iterations,
        alpha=config.alpha, momentum=config.momentum, nesterov=config.nesterov, tol=config.tol,
        early_stopping=config.early_stopping, patience=config.patience,
        threshold=config.threshold, seed=config.seed, eval_every=config.eval_every,
        checkpoint_every=config.checkpoint_every)
