"""The components every Trainer runs, in the order they run at each hook point."""

from __future__ import annotations

from . import faults
from .checkpointing import Checkpointing
from .divergence import DivergenceCheck
from .early_stopping import EarlyStopping
from .epoch_lines import EpochLines
from .eval_points import EvalPoints
from .stopping import StopOnSignal


def standard_callbacks(trainer, write_checkpoint, extra, resume_hint: str):
    """(the non-finite check, early stopping, every callback in order). After a step: the
    non-finite check, --eval-every, --checkpoint-every, the bar's numbers, stop requests; at
    an epoch end: its line, early stopping, the callers' hooks; after it: the checkpoint
    policy, stop requests. Early stopping's state is checkpointed even when it is off."""
    settings = trainer.settings
    divergence = DivergenceCheck(trainer.device)
    early = EarlyStopping(settings.patience, settings.tol)
    checkpointing = Checkpointing(write_checkpoint, settings.checkpoint_every) \
        if write_checkpoint is not None else None
    callbacks = [divergence]
    if settings.eval_every:
        callbacks.append(EvalPoints(settings.eval_every))
    if faults.active():  # test-only (LRNN_FAULT)
        callbacks.append(faults.FaultInjection())
    if checkpointing is not None:
        callbacks.append(checkpointing)
    callbacks.append(EpochLines(trainer.planned_epochs(), trainer.val is not None))
    if settings.early_stopping:
        callbacks.append(early)
    callbacks += list(extra)
    callbacks.append(StopOnSignal(checkpointing, resume_hint or "--resume"))
    return divergence, early, callbacks
