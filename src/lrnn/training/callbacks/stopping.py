"""Stopping on SIGINT / SIGTERM: the loop looks for a stop request after each step (under
torchrun every CHECK_STEPS steps, all processes together: a collective each step would slow
every step) and at each epoch end, then writes a last checkpoint and exits 130 / 143."""

from __future__ import annotations

from ...errors import Interrupted
from .. import distributed
from . import Callback
from .divergence import CHECK_STEPS


class StopOnSignal(Callback):
    def __init__(self, checkpointing, resume_hint: str = "--resume"):
        self.checkpointing = checkpointing  # None: nothing to save (no run folder)
        self.resume_hint = resume_hint

    def after_step(self, trainer) -> None:
        if not trainer.dist.enabled or trainer.position.step % CHECK_STEPS == 0:
            self.stop_if_requested(trainer)

    def after_epoch(self, trainer) -> None:
        self.stop_if_requested(trainer)

    def stop_if_requested(self, trainer) -> None:
        signum = trainer.stops.signum
        if trainer.dist.enabled:  # stop together: one signalled process stops them all
            signum = distributed.reduce_int(signum or 0, "max") or None
        if signum is None:
            return
        if self.checkpointing is not None:
            self.checkpointing.checkpoint(trainer)
        pos = trainer.position
        saved = f"checkpoint saved; continue with {self.resume_hint}" \
            if self.checkpointing is not None else "nothing saved"
        raise Interrupted(signum, f"interrupted at epoch {pos.epoch}, step {pos.step}: {saved}")
