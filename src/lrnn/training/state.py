"""What the training loop must keep to be interrupted and resumed exactly: where it is (epoch,
step, the current epoch's batch order and running sums), what it has recorded (History), and
the random number generators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass
class History:
    epochs: list[dict] = field(default_factory=list)  # one row per epoch (lbfgs: per round)
    evals: list[dict] = field(default_factory=list)  # one row per --eval-every point
    best_epoch: int | None = None
    stopped_early: bool = False
    converged: bool | None = None  # lbfgs only

    def to_state(self) -> dict[str, Any]:
        return {"epochs": self.epochs, "evals": self.evals, "best_epoch": self.best_epoch,
                "converged": self.converged}

    @classmethod
    def from_state(cls, saved: dict[str, Any]) -> "History":
        return cls(saved["epochs"], saved["evals"], saved["best_epoch"],
                   converged=saved["converged"])


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
