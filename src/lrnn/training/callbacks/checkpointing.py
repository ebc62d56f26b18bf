"""When the loop writes a checkpoint: every --checkpoint-every steps, at epoch ends (at most
every EPOCH_CHECKPOINT_SECONDS, plus the last epoch's, and every epoch under torchrun, where
the processes must agree and their clocks differ), and before stopping on a signal.

A checkpoint costs ~2 ms and small data runs hundreds of tiny epochs; any checkpoint resumes
exactly, so a rarer one only means replaying a little more."""

from __future__ import annotations

import time
from typing import Callable

from ...errors import PeerFailed
from .. import distributed
from . import Callback

EPOCH_CHECKPOINT_SECONDS = 1.0


class Checkpointing(Callback):
    def __init__(self, write: Callable[..., None], every_steps: int | None):
        """`write(step, state)` writes one checkpoint, on process 0 only."""
        self.write, self.every_steps = write, every_steps
        self._last = time.perf_counter()

    def after_step(self, trainer) -> None:
        if self.every_steps and trainer.position.step % self.every_steps == 0:
            trainer.divergence.check(trainer)
            self.checkpoint(trainer)

    def after_epoch(self, trainer) -> None:
        if trainer.finished() or trainer.dist.enabled or \
                time.perf_counter() - self._last >= EPOCH_CHECKPOINT_SECONDS:
            self.checkpoint(trainer)

    def checkpoint(self, trainer) -> None:
        """Process 0 writes; every process learns whether it could (none is left waiting)."""
        state, failure = trainer.state(), None
        if trainer.dist.is_main:
            try:
                self.write(trainer.position.step, state)
            except Exception as exc:  # re-raised below, once every process knows
                failure = exc
        if not distributed.all_agree(failure is None):
            raise failure or PeerFailed("process 0 could not write a checkpoint")
        self._last = time.perf_counter()
