"""--eval-every N: the MNIST tutorial's report, the test accuracy every N iterations."""

from __future__ import annotations

from . import Callback


class EvalPoints(Callback):
    def __init__(self, every: int):
        self.every = every

    def after_step(self, trainer) -> None:
        pos = trainer.position
        if pos.step % self.every or trainer.test is None:
            return
        loss_sum, _, seen = trainer.epoch_sums()
        train_loss = loss_sum / max(seen, 1)
        test_loss, test_acc = trainer.scores(trainer.test)
        trainer.history.evals.append({"step": pos.step, "epoch": pos.epoch,
                                      "train_loss": train_loss, "test_loss": test_loss,
                                      "test_accuracy": test_acc, "time_s": trainer.elapsed()})
        trainer.console.log(f"iteration {pos.step:>6}  loss {train_loss:.4f}  test accuracy "
                            f"{test_acc:.2%}")
