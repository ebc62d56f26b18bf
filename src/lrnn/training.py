"""fit(): the training loop.

Batches are index slices of tensors already on the device, drawn by `draw_batch` alone (the
one place a future data-parallel rank takes its share). Running sums stay on the device: the
host waits for the device only at epoch ends, at --eval-every points, and for the progress
bar's occasional refresh when a person is watching.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from .errors import InputError
from .models import logits_of, loss_function, predicted_classes, to_model_input
from .optim import l2_penalty, lr_factor, make_optimizer
from .progress import interactive, progress_bar

LBFGS_ROUND = 5  # L-BFGS iterations per optimizer.step() call: one history row each (a
# learning curve with a point every 5 iterations; each round costs one extra evaluation)
BAR_REFRESH_STEPS = 50
MAX_EPOCH_LINES = 20


@dataclass(frozen=True)
class TrainData:
    X: torch.Tensor  # [N, F] uint8 pixels or float32 features, on the training device
    y: torch.Tensor  # [N] int64 class indices, same device
    w: torch.Tensor | None = None  # [N] float32 row weights (class or sample weights), or None

    def __len__(self) -> int:
        return len(self.y)


@dataclass
class History:
    epochs: list[dict] = field(default_factory=list)  # one row per epoch (lbfgs: per round)
    evals: list[dict] = field(default_factory=list)  # one row per --eval-every point
    best_epoch: int | None = None
    stopped_early: bool = False
    converged: bool | None = None  # lbfgs only


def draw_batch(data: TrainData, index: torch.Tensor):
    """(inputs, labels, row weights or None) of the rows in `index`. index_select rather than
    X[index]: measured on 2 busy cores, X[index] took ~10 ms per batch of 512 rows (its
    parallel kernel waits for threads), index_select 4-50 us."""
    weights = data.w.index_select(0, index) if data.w is not None else None
    return to_model_input(data.X.index_select(0, index)), data.y.index_select(0, index), weights


def batch_indices(n: int, batch_size: int, generator: torch.Generator, device):
    """One epoch of index batches from a fresh seeded permutation."""
    order = torch.randperm(n, generator=generator, device=device)
    return order.split(batch_size)


def scores(model: nn.Module, data: TrainData, loss_fn, threshold: float) -> tuple[float, float]:
    """(mean loss, accuracy) of the model on `data`."""
    logits = logits_of(model, data.X)
    loss = loss_fn(logits, data.y)
    correct = (predicted_classes(logits, threshold) == data.y).sum()
    return float(loss), float(correct) / len(data)


class Trainer:
    def __init__(self, model: nn.Module, config, n_classes: int, train: TrainData,
                 val: TrainData | None = None, test: TrainData | None = None,
                 log: Callable[[str], None] = print):
        self.model, self.config, self.log = model, config, log
        self.train, self.val, self.test = train, val, test
        self.loss_fn = loss_function(n_classes)
        self.lbfgs_twin = copy.deepcopy(model).double() if config.optimizer == "lbfgs" else None
        self.optimizer = make_optimizer(self.lbfgs_twin or model, config, len(train))
        self.history = History()
        self._best_loss, self._rows_since_best, self._best_state = math.inf, 0, None
        self._printed: dict | None = None
        self.started = time.perf_counter()
        self.device = train.X.device

    # --- shared -------------------------------------------------------------------------

    def _end_epoch(self, epoch: int, step: int, train_loss: float, train_acc: float) -> bool:
        """Record the epoch, print it, update early stopping. True when training should stop."""
        if not math.isfinite(train_loss):
            raise InputError(f"training diverged: the loss is {train_loss} at epoch {epoch}, "
                             f"step {step} (hint: lower --lr)")
        row = {"epoch": epoch, "step": step, "lr": self.optimizer.param_groups[0]["lr"],
               "train_loss": train_loss, "train_accuracy": train_acc,
               "val_loss": math.nan, "val_accuracy": math.nan,
               "test_loss": math.nan, "test_accuracy": math.nan,
               "time_s": time.perf_counter() - self.started, "unix_time": time.time()}
        # Validation drives early stopping; the test scores are only recorded (learning curves,
        # time-to-accuracy in the benchmark), never used to choose anything.
        for name, part in (("val", self.val), ("test", self.test)):
            if part is not None:
                row[f"{name}_loss"], row[f"{name}_accuracy"] = scores(
                    self.model, part, self.loss_fn, self.config.threshold)
        self.history.epochs.append(row)
        self._print_epoch(row)
        return self.config.early_stopping and self._early_stop(row)

    def _print_epoch(self, row: dict, final: bool = False) -> None:
        """At most about MAX_EPOCH_LINES lines, and always the last epoch."""
        every = max(1, self._planned_epochs() // MAX_EPOCH_LINES)
        if row is self._printed or (row["epoch"] % every and not final):
            return
        self._printed = row
        text = (f"epoch {row['epoch']:>4}  step {row['step']:>6}  train loss {row['train_loss']:.4f}"
                f"  acc {row['train_accuracy']:.2%}")
        if self.val is not None:
            text += f"  val loss {row['val_loss']:.4f}  acc {row['val_accuracy']:.2%}"
        self.log(text + f"  {row['time_s']:.1f}s")

    def _early_stop(self, row: dict) -> bool:
        if row["val_loss"] < self._best_loss - self.config.tol:
            self.history.best_epoch = row["epoch"]
            self._best_loss, self._rows_since_best = row["val_loss"], 0
            self._best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            return False
        self._rows_since_best += 1
        return self._rows_since_best >= self.config.patience

    def _restore_best(self) -> None:
        if self.config.early_stopping and self.history.best_epoch is not None:
            self.model.load_state_dict(self._best_state)
            self.log(f"kept the weights of epoch {self.history.best_epoch} (best validation loss)")

    def _planned_epochs(self) -> int:
        if self.config.iterations is None:
            return self.config.epochs
        if self.config.optimizer == "lbfgs":
            return self.config.iterations
        return math.ceil(self.config.iterations / math.ceil(len(self.train) / self.config.batch_size))

    def fit(self) -> History:
        self.model.train()
        if self.config.optimizer == "lbfgs":
            self._fit_lbfgs()
        else:
            self._fit_minibatch()
        if self.history.epochs:
            self._print_epoch(self.history.epochs[-1], final=True)
        self._restore_best()
        self.model.eval()
        return self.history

    # --- mini-batch optimizers -------------------------------------------------------------

    def _total_steps(self) -> int:
        if self.config.iterations is not None:
            return self.config.iterations
        return self.config.epochs * math.ceil(len(self.train) / self.config.batch_size)

    def _fit_minibatch(self) -> None:
        total = self._total_steps()
        factor = lr_factor(self.config.schedule, total)
        generator = torch.Generator(device=self.device).manual_seed(self.config.seed)
        step, epoch = 0, 0
        with progress_bar(total, "training", unit="step") as bar:
            while step < total:
                epoch += 1
                loss_sum = torch.zeros((), device=self.device)
                correct = torch.zeros((), dtype=torch.long, device=self.device)
                seen = 0
                for index in batch_indices(len(self.train), self.config.batch_size, generator,
                                           self.device):
                    x, y, w = draw_batch(self.train, index)
                    self.optimizer.set_lr(self.config.lr * factor(step))
                    batch_loss, batch_correct = self._step(x, y, w)
                    loss_sum += batch_loss * len(index)
                    correct += batch_correct
                    seen += len(index)
                    step += 1
                    bar.update(1)
                    if bar_due(step):
                        bar.set_postfix(epoch=epoch, loss=f"{float(loss_sum) / seen:.4f}",
                                        acc=f"{float(correct) / seen:.2%}")
                    if self.config.eval_every and step % self.config.eval_every == 0:
                        self._eval_point(step, epoch, float(loss_sum) / seen)
                    if step >= total:
                        break
                if self._end_epoch(epoch, step, float(loss_sum) / seen, float(correct) / seen):
                    self.history.stopped_early = True
                    self.log(f"early stopping at epoch {epoch}: no validation improvement in "
                             f"{self.config.patience} epochs")
                    break

    def _step(self, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor | None):
        logits = self.model(x)
        loss = self.loss_fn(logits, y, w)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            correct = (predicted_classes(logits, self.config.threshold) == y).sum()
        return loss.detach(), correct

    def _eval_point(self, step: int, epoch: int, train_loss: float) -> None:
        """The tutorial's report: test accuracy every --eval-every iterations."""
        if self.test is None:
            return
        test_loss, test_acc = scores(self.model, self.test, self.loss_fn, self.config.threshold)
        self.model.train()
        self.history.evals.append({"step": step, "epoch": epoch, "train_loss": train_loss,
                                   "test_loss": test_loss, "test_accuracy": test_acc,
                                   "time_s": time.perf_counter() - self.started})
        self.log(f"iteration {step:>6}  loss {train_loss:.4f}  test accuracy {test_acc:.2%}")

    # --- full-batch L-BFGS -------------------------------------------------------------------

    def _fit_lbfgs(self) -> None:
        """Full-batch L-BFGS, solved in float64 on a copy of the model: in float32 the loss stops
        changing ~1e-7 short of the optimum, too far to give scikit-learn's exact answer. The
        copy's weights are written back to the float32 model after every round."""
        twin = self.lbfgs_twin
        X, y, w = to_model_input(self.train.X).double(), self.train.y, self.train.w
        w = w.double() if w is not None else None
        alpha, n = self.config.alpha, len(self.train)

        def closure():
            self.optimizer.zero_grad()
            loss = self.loss_fn(twin(X), y, w) + l2_penalty(twin, alpha, n)
            loss.backward()
            return loss

        total = self.config.iterations or self.config.epochs
        state = self.optimizer.state[self.optimizer.param_groups[0]["params"][0]]
        done, self.history.converged = 0, False
        with progress_bar(total, "training (lbfgs)", unit="iter") as bar:
            while done < total:
                rounds = min(LBFGS_ROUND, total - done)
                self.optimizer.param_groups[0].update(max_iter=rounds, max_eval=rounds * 5)
                self.optimizer.step(closure)
                self.model.load_state_dict(twin.state_dict())  # float64 -> float32 copy
                ran = state.get("n_iter", 0) - done
                done += ran
                bar.update(ran)
                train_loss, train_acc = scores(self.model, self.train, self.loss_fn,
                                               self.config.threshold)
                if self._end_epoch(done, done, train_loss, train_acc):
                    self.history.stopped_early = True
                    break
                if ran < rounds:  # L-BFGS stopped on its tolerance before its budget
                    self.history.converged = True
                    break
        if not self.history.converged and not self.history.stopped_early:
            self.log(f"warning: lbfgs did not converge in {total} iterations "
                     f"(gradient above --tol {self.config.tol}); raise --epochs")


def bar_due(step: int) -> bool:
    """Refresh the bar's running loss now and then, and only when it is drawn: each refresh
    makes the host wait for the device."""
    return step % BAR_REFRESH_STEPS == 0 and interactive()
