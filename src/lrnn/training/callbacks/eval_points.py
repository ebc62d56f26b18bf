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
        point = {"step": pos.step, "epoch": pos.epoch, "train_loss": loss_sum / max(seen, 1)}
        elapsed = trainer.elapsed()

        def record(test_loss: float, test_acc: float) -> None:
            trainer.history.evals.append({**point, "test_loss": test_loss,
                                          "test_accuracy": test_acc, "time_s": elapsed})
            trainer.console.log(f"iteration {point['step']:>6}  loss {point['train_loss']:.4f}"
                                f"  test accuracy {test_acc:.2%}")

        trainer.late.request("test", record)  # the line printed when the scores are in
