"""What the training loop must keep to be interrupted and resumed exactly: where it is (epoch,
step, the current epoch's batch order and running sums), the random number generators, and
the stop requests that SIGINT and SIGTERM make."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch

from .errors import LrnnError


class Interrupted(LrnnError):
    """Training stopped by SIGINT / SIGTERM after a checkpoint: exit 130 / 143."""

    def __init__(self, signum: int, message: str):
        super().__init__(message)
        self.exit_code = 128 + signum


@dataclass
class Position:
    epoch: int = 0  # the epoch in progress, or the last one finished
    step: int = 0  # optimizer steps done (lbfgs: iterations)
    batch: int = 0  # batches of the current epoch done; 0 at an epoch boundary
    order: torch.Tensor | None = None  # the current epoch's row order
    loss_sum: torch.Tensor | None = None  # running sums of the current epoch, on the device
    correct: torch.Tensor | None = None
    seen: int = 0

    def to_state(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "step": self.step, "batch": self.batch, "order": self.order,
                "loss_sum": self.loss_sum, "correct": self.correct, "seen": self.seen}

    @classmethod
    def from_state(cls, state: dict[str, Any], device) -> "Position":
        moved = {k: (v.to(device) if isinstance(v, torch.Tensor) else v) for k, v in state.items()}
        return cls(**moved)


def rng_state(generator: torch.Generator) -> dict[str, Any]:
    state = {"torch": torch.get_rng_state(), "order": generator.get_state()}
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng(state: dict[str, Any], generator: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    generator.set_state(state["order"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


class StopRequests:
    """SIGINT / SIGTERM ask the loop to stop after the step in progress; a second SIGINT
    stops at once."""

    def __init__(self):
        self.signum: int | None = None

    def request(self, signum: int) -> None:
        self.signum = signum

    def _handle(self, signum, frame) -> None:
        if self.signum == signal.SIGINT and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.request(signum)

    @contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self  # signal handlers can only be set from the main thread
            return
        previous = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


@dataclass
class EarlyStopping:
    best_loss: float = float("inf")
    rows_since_best: int = 0
    best_state: dict | None = field(default=None, repr=False)

    def to_state(self) -> dict[str, Any]:
        return {"best_loss": self.best_loss, "rows_since_best": self.rows_since_best,
                "best_state": self.best_state}

    @classmethod
    def from_state(cls, state: dict[str, Any], device) -> "EarlyStopping":
        best = state["best_state"]
        if best is not None:
            best = {k: v.to(device) for k, v in best.items()}
        return cls(state["best_loss"], state["rows_since_best"], best)
