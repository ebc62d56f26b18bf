"""What a person sees while training runs: about MAX_EPOCH_LINES epoch lines (always the
last), and the progress bar's epoch, loss and accuracy, refreshed every REFRESH_STEPS steps
(a refresh waits for the device, so only when someone watches)."""

from __future__ import annotations

from . import Callback

MAX_EPOCH_LINES = 20
REFRESH_STEPS = 50


class EpochLines(Callback):
    def __init__(self, planned_epochs: int, has_validation: bool):
        self.every = max(1, planned_epochs // MAX_EPOCH_LINES)
        self.has_validation = has_validation
        self._printed: dict | None = None

    def after_step(self, trainer) -> None:
        pos, bar = trainer.position, trainer.bar
        if pos.step % REFRESH_STEPS == 0 and bar is not None and trainer.console.watched:
            bar.set_postfix(epoch=pos.epoch, loss=f"{float(pos.loss_sum) / pos.seen:.4f}",
                            acc=f"{float(pos.correct) / pos.seen:.2%}")

    def on_epoch_end(self, trainer, row: dict) -> bool:
        if row["epoch"] % self.every == 0:  # once the row's scores are in (late_scores.py)
            trainer.late.then(lambda: self._print(trainer, row))
        return False

    def on_train_end(self, trainer) -> None:
        if trainer.history.epochs:
            self._print(trainer, trainer.history.epochs[-1])

    def _print(self, trainer, row: dict) -> None:
        if row is self._printed:  # the last epoch, already shown
            return
        self._printed = row
        text = (f"epoch {row['epoch']:>4}  step {row['step']:>6}  train loss "
                f"{row['train_loss']:.4f}  acc {row['train_accuracy']:.2%}")
        if self.has_validation:
            text += f"  val loss {row['val_loss']:.4f}  acc {row['val_accuracy']:.2%}"
        trainer.console.log(text + f"  {row['time_s']:.1f}s")
