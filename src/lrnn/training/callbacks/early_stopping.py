"""--early-stopping: stop once the validation loss has not improved by --tol for --patience
epochs, and keep the best epoch's weights. Its state lives in every checkpoint."""

from __future__ import annotations

from typing import Any

from . import Callback


class EarlyStopping(Callback):
    def __init__(self, patience: int, tol: float):
        self.patience, self.tol = patience, tol
        self.best_loss = float("inf")
        self.rows_since_best = 0
        self.best_state: dict | None = None

    def on_epoch_end(self, trainer, row: dict) -> bool:
        if row["val_loss"] < self.best_loss - self.tol:
            trainer.history.best_epoch = row["epoch"]
            self.best_loss, self.rows_since_best = row["val_loss"], 0
            self.best_state = {k: v.detach().clone() for k, v in trainer.model.state_dict().items()}
            return False
        self.rows_since_best += 1
        if self.rows_since_best < self.patience:
            return False
        line = f"early stopping at epoch {row['epoch']}: no validation improvement in " \
            f"{self.patience} epochs"
        trainer.late.then(lambda: trainer.console.log(line))  # after the epoch's own line
        return True

    def on_train_end(self, trainer) -> None:
        if self.best_state is not None:
            trainer.model.load_state_dict(self.best_state)
            trainer.console.log(f"kept the weights of epoch {trainer.history.best_epoch} (best "
                                f"validation loss)")

    def to_state(self) -> dict[str, Any]:
        return {"best_loss": self.best_loss, "rows_since_best": self.rows_since_best,
                "best_state": self.best_state}

    def restore(self, state: dict[str, Any], device) -> None:
        best = state["best_state"]
        self.best_loss, self.rows_since_best = state["best_loss"], state["rows_since_best"]
        self.best_state = {k: v.to(device) for k, v in best.items()} if best is not None else None
