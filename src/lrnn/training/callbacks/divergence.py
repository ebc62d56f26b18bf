"""The non-finite check: the host looks at the recent steps' losses every CHECK_STEPS steps
(not every step: reading a loss waits for the device), at epoch ends and before each
checkpoint, and names the first step whose loss was not finite."""

from __future__ import annotations

import math

import torch

from ...errors import TrainingDiverged
from .. import distributed
from . import Callback

CHECK_STEPS = 50


class DivergenceCheck(Callback):
    def __init__(self, device: torch.device, checked_step: int = 0):
        self._recent = torch.zeros(CHECK_STEPS, device=device)  # the last steps' losses
        self.checked_step = checked_step

    def record(self, step: int, loss: torch.Tensor) -> None:
        """Step `step`'s loss, kept on the device."""
        self._recent[step % CHECK_STEPS] = loss

    def after_step(self, trainer) -> None:
        if trainer.position.step % CHECK_STEPS == 0:
            self.check(trainer)

    def check_epoch(self, trainer, train_loss: float) -> None:
        """At an epoch end, where the host already holds the epoch's mean loss (summed over
        every process): when it is finite, so was each step's loss since the last check, which
        all fell in this epoch. On small data an epoch is a few steps, and reading back the
        recent losses was ~12 % of each epoch end's work (a wine tune, py-spy)."""
        if math.isfinite(train_loss):
            self.checked_step = trainer.position.step
        else:
            self.check(trainer)

    def check(self, trainer) -> None:
        """Under torchrun the first bad step over all processes, so that they all stop."""
        step = trainer.position.step
        steps = list(range(max(self.checked_step + 1, step - CHECK_STEPS + 1), step + 1))
        losses = self._recent[[s % CHECK_STEPS for s in steps]].cpu()
        self.checked_step = step
        bad = (~torch.isfinite(losses)).nonzero()
        first = steps[int(bad[0])] if len(bad) else step + 1
        first = distributed.reduce_int(first, "min")
        if first <= step:
            value = losses[steps.index(first)].item() if first in steps else float("nan")
            raise diverged(value, first, trainer.steps_per_epoch())


def diverged(loss: float, step: int, steps_per_epoch: int) -> TrainingDiverged:
    epoch = (step - 1) // steps_per_epoch + 1
    return TrainingDiverged(f"training diverged: the loss is {loss} at epoch {epoch}, step "
                            f"{step}; nothing from this run after its last checkpoint was saved "
                            f"(hint: lower --lr)")

