"""The training loop: Trainer.fit().

Batches are index slices of tensors already on the device, drawn by `draw_batch` alone (the
one place a data-parallel rank takes its share). Running sums stay on the device: the host
waits for the device only at epoch ends, every CHECK_STEPS steps (the non-finite check), at
--eval-every points, and for the progress bar's refresh when a person is watching.

The loop can stop after any step (SIGINT, SIGTERM) and continue later exactly: `state()` is
everything a checkpoint needs, and a Trainer built with `resume=` that state goes on as if it
had never stopped (same batches, same random numbers, same weights).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from . import distributed, faults
from .errors import InputError
from .models import (LogisticRegressionModule, logits_of, loss_function, predicted_classes,
                     to_model_input)
from .optim import l2_penalty, lr_factor, make_optimizer
from .progress import interactive, progress_bar
from .training_state import (EarlyStopping, Interrupted, Position, StopRequests, restore_rng,
                             rng_state)

LBFGS_ROUND = 5  # L-BFGS iterations per optimizer.step() call: one history row each (a
# learning curve with a point every 5 iterations; each round costs one extra evaluation)
CHECK_STEPS = 50  # the host looks for a non-finite loss every this many steps
# Epoch-end checkpoints are at most this often (plus the last epoch's, --checkpoint-every and
# on interruption): a checkpoint costs ~2 ms, and small data runs hundreds of tiny epochs.
# Any checkpoint resumes exactly, so a rarer one only means replaying a little more.
EPOCH_CHECKPOINT_SECONDS = 1.0
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


def scores(model: nn.Module, data: TrainData, loss_fn, threshold: float) -> tuple[float, float]:
    """(mean loss, accuracy) of the model on `data`."""
    logits = logits_of(model, data.X)
    loss = loss_fn(logits, data.y)
    correct = (predicted_classes(logits, threshold) == data.y).sum()
    return float(loss), float(correct) / len(data)


class Trainer:
    def __init__(self, model: nn.Module, config, n_classes: int, train: TrainData,
                 val: TrainData | None = None, test: TrainData | None = None,
                 log: Callable[[str], None] = print,
                 on_checkpoint: Callable[[int, dict], None] | None = None,
                 resume: dict | None = None,
                 on_epoch: Callable[[dict], bool] | None = None, optimizer=None):
        """`on_checkpoint(step, state)` writes a checkpoint; `resume` is a state to continue
        from. `on_epoch(row)` sees each history row and returns True to stop training there
        (the estimators' stopping rules); `optimizer` continues with an earlier Trainer's
        optimizer and its state (MLPClassifier.partial_fit; mini-batch optimizers only)."""
        self.model, self.config, self.log = model, config, log
        self.train, self.val, self.test = train, val, test
        self.on_epoch = on_epoch
        self.loss_fn = loss_function(n_classes)
        self.device = train.X.device
        self.dist = distributed.current()
        self.lbfgs_twin = copy.deepcopy(model).double() if config.optimizer == "lbfgs" else None
        self.optimizer = optimizer or make_optimizer(self.lbfgs_twin or model, config, len(train))
        self.net = self._data_parallel(model)
        # logistic regression's gradient without autograd (one process: DDP needs autograd)
        self.closed_form = isinstance(model, LogisticRegressionModule) and self.net is model
        self.generator = torch.Generator(device=self.device).manual_seed(config.seed)
        self.history, self.position, self.early = History(), Position(), EarlyStopping()
        self.stops, self.on_checkpoint = StopRequests(), on_checkpoint
        self._recent = torch.zeros(CHECK_STEPS, device=self.device)  # the last steps' losses
        self._checked_step, self._printed, self._elapsed_before = 0, None, 0.0
        self._last_checkpoint = time.perf_counter()
        if resume is not None:
            self._restore(resume)
        self.started = time.perf_counter()

    def _data_parallel(self, model: nn.Module) -> nn.Module:
        """The module the training steps run: DDP under torchrun (L-BFGS excepted: every
        process solves the same full-batch problem), the model itself otherwise."""
        if not self.dist.enabled or self.config.optimizer == "lbfgs":
            return model
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)

    # --- state for checkpoints -----------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything to continue exactly. Under torchrun every process must call it (it
        gathers each process's random state and the epoch's running sums)."""
        trained = self.lbfgs_twin or self.model
        position = self.position.to_state()
        if self.dist.enabled and position["loss_sum"] is not None:
            loss_sum, correct, seen = self._epoch_sums()  # the global sums, same types
            position.update(loss_sum=torch.tensor(loss_sum, dtype=position["loss_sum"].dtype),
                            correct=torch.tensor(correct).to(position["correct"].dtype),
                            seen=seen)
        return {"position": position, "model": trained.state_dict(),
                "optimizer": self.optimizer.state_dict(), "rng": rng_state(self.generator),
                "process_rng": distributed.gather(torch.get_rng_state()),
                "early_stopping": self.early.to_state(),
                "history": {"epochs": self.history.epochs, "evals": self.history.evals,
                            "best_epoch": self.history.best_epoch,
                            "converged": self.history.converged},
                "elapsed": self.elapsed()}

    def _restore(self, state: dict[str, Any]) -> None:
        trained = self.lbfgs_twin or self.model
        trained.load_state_dict(state["model"])
        if self.lbfgs_twin is not None:
            self.model.load_state_dict(self.lbfgs_twin.state_dict())
        self.optimizer.load_state_dict(state["optimizer"])
        restore_rng(state["rng"], self.generator)
        mine = state.get("process_rng", [])
        if len(mine) == self.dist.world:  # each process its own dropout random numbers
            torch.set_rng_state(mine[self.dist.rank])
        self.position = Position.from_state(state["position"], self.device)
        if self.dist.enabled and not self.dist.is_main and self.position.loss_sum is not None:
            # the saved running sums are the global ones: process 0 carries them on
            self.position.loss_sum.zero_(), self.position.correct.zero_()
            self.position.seen = 0
        self.early = EarlyStopping.from_state(state["early_stopping"], self.device)
        saved = state["history"]
        self.history = History(saved["epochs"], saved["evals"], saved["best_epoch"],
                               converged=saved["converged"])
        self._checked_step, self._elapsed_before = self.position.step, state["elapsed"]

    def elapsed(self) -> float:
        return self._elapsed_before + time.perf_counter() - self.started

    def _checkpoint(self) -> None:
        """Process 0 writes; every process learns whether it could (none is left waiting)."""
        if self.on_checkpoint is None:
            return
        state, failure = self.state(), None
        if self.dist.is_main:
            try:
                self.on_checkpoint(self.position.step, state)
            except Exception as exc:  # re-raised below, once every process knows
                failure = exc
        if not distributed.all_agree(failure is None):
            raise failure or InputError("process 0 could not write a checkpoint")
        self._last_checkpoint = time.perf_counter()

    def _finished(self) -> bool:
        total = self.config.iterations or self.config.epochs if self.config.optimizer == "lbfgs" \
            else self._total_steps()
        history = self.history
        return self.position.step >= total or history.stopped_early or bool(history.converged)

    def _stop_if_requested(self) -> None:
        signum = self.stops.signum
        if self.dist.enabled:  # stop together: one signalled process stops them all
            signum = distributed.reduce_int(signum or 0, "max") or None
        if signum is None:
            return
        self._checkpoint()
        pos = self.position
        raise Interrupted(signum, f"interrupted at epoch {pos.epoch}, step {pos.step}: "
                                  f"checkpoint saved; continue with --resume")

    # --- the loop --------------------------------------------------------------------------

    def fit(self) -> History:
        self.model.train()
        with self.stops.installed():
            if self.config.optimizer == "lbfgs":
                self._fit_lbfgs()
            else:
                self._fit_minibatch()
        if self.history.epochs:
            self._print_epoch(self.history.epochs[-1], final=True)
        self._restore_best()
        self.model.eval()
        return self.history

    def _total_steps(self) -> int:
        if self.config.iterations is not None:
            return self.config.iterations
        return self.config.epochs * math.ceil(len(self.train) / self.config.batch_size)

    def _fit_minibatch(self) -> None:
        total, pos = self._total_steps(), self.position
        factor = lr_factor(self.config.schedule, total)
        with progress_bar(total, "training", unit="step", show=self.dist.is_main) as bar:
            bar.update(pos.step)
            while pos.step < total and not self.history.stopped_early:
                if pos.batch == 0:
                    self._start_epoch()
                batches = pos.order.split(self.config.batch_size)
                while pos.batch < len(batches) and pos.step < total:
                    self._step(batches[pos.batch], self.config.lr * factor(pos.step))
                    pos.batch, pos.step = pos.batch + 1, pos.step + 1
                    bar.update(1)
                    self._after_step(bar)
                loss_sum, correct, seen = self._epoch_sums()
                self._end_epoch(loss_sum / max(seen, 1), correct / max(seen, 1))

    def _epoch_sums(self) -> tuple[float, float, int]:
        """The current epoch's loss sum, correct count and rows, over all processes."""
        pos = self.position
        sums = torch.stack([pos.loss_sum.float(), pos.correct.float(),
                            torch.tensor(float(pos.seen), device=self.device)])
        loss_sum, correct, seen = distributed.all_reduce(sums).tolist()
        return loss_sum, correct, int(seen)

    def _start_epoch(self) -> None:
        pos = self.position
        pos.epoch += 1
        pos.order = torch.randperm(len(self.train), generator=self.generator, device=self.device)
        pos.loss_sum = torch.zeros((), device=self.device)
        pos.correct = torch.zeros((), dtype=torch.long, device=self.device)
        pos.seen = 0

    def _step(self, index: torch.Tensor, lr: float) -> None:
        """One optimizer step on the global batch `index` (this process's share of it)."""
        pos, rows = self.position, self.dist.shard(index)
        x, y, w = draw_batch(self.train, rows)
        if faults.active():
            x = self._inject(pos.step + 1, x)
        self.optimizer.set_lr(lr)
        if self.closed_form:
            loss, logits = self.model.loss_and_gradients(x, y, w)
        else:
            logits = self.net(x)
            if self.dist.enabled:  # DDP averages gradients over processes: see distributed.py
                loss = self.loss_fn(logits, y, w, "sum") * (self.dist.world / len(index))
            else:
                loss = self.loss_fn(logits, y, w)
            self.optimizer.zero_grad()
            loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            loss = loss.detach()
            pos.loss_sum += loss * (len(index) / self.dist.world)  # this process's row sum
            pos.correct += (predicted_classes(logits, self.config.threshold) == y).sum()
            pos.seen += len(rows)
            self._recent[(pos.step + 1) % CHECK_STEPS] = loss  # this is step pos.step + 1

    def _inject(self, step: int, x: torch.Tensor) -> torch.Tensor:
        """Test-only faults (faults.py) planned for this step."""
        action = faults.take("step", step)
        if action in faults.SIGNALS:
            self.stops.request(faults.SIGNALS[action])
        elif action == "hold":
            faults.hold()
        elif action == "kill":
            faults.kill_now()
        elif action == "nan":
            x = x * float("nan")
        return x

    def _after_step(self, bar) -> None:
        step = self.position.step
        if step % CHECK_STEPS == 0:
            self._check_finite()
        if self.config.eval_every and step % self.config.eval_every == 0:
            self._eval_point()
        if self.config.checkpoint_every and step % self.config.checkpoint_every == 0:
            self._check_finite()
            self._checkpoint()
        if step % 50 == 0 and interactive() and self.dist.is_main:  # a refresh waits for the
            pos = self.position                                       # device: only now and then
            bar.set_postfix(epoch=pos.epoch, loss=f"{float(pos.loss_sum) / pos.seen:.4f}",
                            acc=f"{float(pos.correct) / pos.seen:.2%}")
        # under torchrun the processes agree on stopping every CHECK_STEPS steps (a collective
        # each step would slow every step); alone, a stop request is seen after each step
        if not self.dist.enabled or step % CHECK_STEPS == 0:
            self._stop_if_requested()

    def _check_finite(self) -> None:
        """Name the first step whose loss was not finite, among those since the last check
        (under torchrun the first over all processes, so that they all stop)."""
        step = self.position.step
        steps = list(range(max(self._checked_step + 1, step - CHECK_STEPS + 1), step + 1))
        losses = self._recent[[s % CHECK_STEPS for s in steps]].cpu()
        self._checked_step = step
        bad = (~torch.isfinite(losses)).nonzero()
        first = steps[int(bad[0])] if len(bad) else step + 1
        first = distributed.reduce_int(first, "min")
        if first <= step:
            value = losses[steps.index(first)].item() if first in steps else float("nan")
            self._diverged(value, first)

    def _diverged(self, loss: float, step: int) -> None:
        per_epoch = math.ceil(len(self.train) / self.config.batch_size) if self.config.batch_size \
            else 1
        epoch = (step - 1) // per_epoch + 1
        raise InputError(f"training diverged: the loss is {loss} at epoch {epoch}, step {step}; "
                         f"nothing from this run after its last checkpoint was saved (hint: "
                         f"lower --lr)")

    def _eval_point(self) -> None:
        """The tutorial's report: test accuracy every --eval-every iterations."""
        if self.test is None:
            return
        pos = self.position
        loss_sum, _, seen = self._epoch_sums()
        train_loss = loss_sum / max(seen, 1)
        test_loss, test_acc = scores(self.model, self.test, self.loss_fn, self.config.threshold)
        self.model.train()
        self.history.evals.append({"step": pos.step, "epoch": pos.epoch, "train_loss": train_loss,
                                   "test_loss": test_loss, "test_accuracy": test_acc,
                                   "time_s": self.elapsed()})
        self.log(f"iteration {pos.step:>6}  loss {train_loss:.4f}  test accuracy {test_acc:.2%}")

    # --- epoch ends, early stopping --------------------------------------------------------

    def _end_epoch(self, train_loss: float, train_acc: float) -> None:
        """Record the epoch, update early stopping, checkpoint; the next step starts an epoch."""
        self._check_finite()
        pos = self.position
        row = {"epoch": pos.epoch, "step": pos.step,
               "lr": self.optimizer.param_groups[0]["lr"], "train_loss": train_loss,
               "train_accuracy": train_acc, "time_s": self.elapsed(), "unix_time": time.time()}
        # Validation drives early stopping; the test scores are only recorded (learning curves,
        # time-to-accuracy in the benchmark), never used to choose anything.
        for name, part in (("val", self.val), ("test", self.test)):
            row[f"{name}_loss"], row[f"{name}_accuracy"] = (
                scores(self.model, part, self.loss_fn, self.config.threshold)
                if part is not None else (math.nan, math.nan))
        self.model.train()
        self.history.epochs.append(row)
        self._print_epoch(row)
        if self.config.early_stopping and self._early_stop(row):
            self.history.stopped_early = True
            self.log(f"early stopping at epoch {pos.epoch}: no validation improvement in "
                     f"{self.config.patience} epochs")
        elif self.on_epoch is not None and self.on_epoch(row):
            self.history.stopped_early = True
        pos.batch, pos.order = 0, None
        action = faults.take("epoch", pos.epoch) if faults.active() else None
        if action in faults.SIGNALS:
            self.stops.request(faults.SIGNALS[action])
        # under torchrun every epoch end (processes must agree, and clocks differ)
        if self._finished() or self.dist.enabled or \
                time.perf_counter() - self._last_checkpoint >= EPOCH_CHECKPOINT_SECONDS:
            self._checkpoint()
        self._stop_if_requested()

    def _early_stop(self, row: dict) -> bool:
        early = self.early
        if row["val_loss"] < early.best_loss - self.config.tol:
            self.history.best_epoch = row["epoch"]
            early.best_loss, early.rows_since_best = row["val_loss"], 0
            early.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            return False
        early.rows_since_best += 1
        return early.rows_since_best >= self.config.patience

    def _restore_best(self) -> None:
        if self.config.early_stopping and self.early.best_state is not None:
            self.model.load_state_dict(self.early.best_state)
            self.log(f"kept the weights of epoch {self.history.best_epoch} (best validation loss)")

    def _planned_epochs(self) -> int:
        if self.config.iterations is None:
            return self.config.epochs
        if self.config.optimizer == "lbfgs":
            return self.config.iterations
        return math.ceil(self.config.iterations / math.ceil(len(self.train) / self.config.batch_size))

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

    # --- full-batch L-BFGS -------------------------------------------------------------------

    def _fit_lbfgs(self) -> None:
        """Full-batch L-BFGS, solved in float64 on a copy of the model: in float32 the loss stops
        changing ~1e-7 short of the optimum, too far to give scikit-learn's exact answer. The
        copy's weights are written back to the float32 model after every round."""
        twin, pos = self.lbfgs_twin, self.position
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
        with progress_bar(total, "training (lbfgs)", unit="iter", show=self.dist.is_main) as bar:
            bar.update(pos.step)
            while pos.step < total and not self.history.converged and \
                    not self.history.stopped_early:
                rounds = min(LBFGS_ROUND, total - pos.step)
                self.optimizer.param_groups[0].update(max_iter=rounds, max_eval=rounds * 5)
                self.optimizer.step(closure)
                self.model.load_state_dict(twin.state_dict())  # float64 -> float32 copy
                ran = state.get("n_iter", 0) - pos.step
                pos.step = pos.epoch = pos.step + ran
                bar.update(ran)
                self.history.converged = ran < rounds  # stopped on its tolerance before its budget
                self._end_lbfgs_round()
        if not self.history.converged and not self.history.stopped_early:
            self.log(f"warning: lbfgs did not converge in {total} iterations "
                     f"(gradient above --tol {self.config.tol}); raise --epochs")

    def _end_lbfgs_round(self) -> None:
        loss, acc = scores(self.model, self.train, self.loss_fn, self.config.threshold)
        if not math.isfinite(loss):
            self._diverged(loss, self.position.step)
        self._end_epoch(loss, acc)
