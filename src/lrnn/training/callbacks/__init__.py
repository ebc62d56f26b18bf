"""The training loop's cross-cutting concerns as small components called at fixed points
(loop.py): the non-finite check, --eval-every points, checkpoints, epoch lines and the
progress bar's numbers, early stopping, stop requests (SIGINT, SIGTERM), and the callers' own
epoch hooks (the estimators' stopping rule, tune's pruning). Test-only fault injection
(faults.py) comes in through the same points when LRNN_FAULT is set.

Each hook gets the Trainer; the order of the list is the order they run in.
"""

from __future__ import annotations

from typing import Callable


class Callback:
    """Hooks, each a no-op unless overridden. Only callbacks that override `on_batch` are
    called per batch (the loop's innermost point)."""

    def on_batch(self, trainer, x):
        """The batch's inputs just drawn; returns the inputs to train on."""
        return x

    def after_step(self, trainer) -> None:
        """After each optimizer step (trainer.position.step counts it)."""

    def on_epoch_end(self, trainer, row: dict) -> bool:
        """An epoch's history row was recorded; True stops training after this epoch."""
        return False

    def after_epoch(self, trainer) -> None:
        """After the epoch is closed: the position is at an epoch boundary."""

    def on_train_end(self, trainer) -> None:
        """After the last step, before fit() returns."""


class EpochHook(Callback):
    """A caller's `on_epoch(row) -> bool` function as a callback."""

    def __init__(self, function: Callable[[dict], bool]):
        self.function = function

    def on_epoch_end(self, trainer, row: dict) -> bool:
        return bool(self.function(row))


def overrides(callback: Callback, hook: str) -> bool:
    return getattr(type(callback), hook) is not getattr(Callback, hook)
