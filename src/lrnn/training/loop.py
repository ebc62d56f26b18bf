"""The training loop: Trainer.fit().

Each step is the tutorial's five: draw a batch, forward, loss, backward, optimizer step. The
rest (the non-finite check, --eval-every points, checkpoints, epoch lines, early stopping,
stop requests, the callers' epoch hooks) are components in callbacks/, called at fixed points:
after each step, at each epoch end, when training ends. Full-batch L-BFGS is in lbfgs/.

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
from typing import Any, Callable, Sequence

import torch
from torch import nn

from ..config.training import TrainingSettings
from ..console import Console
from ..models.losses import loss_function, predicted_classes, scores
from ..models.torch_models import LogisticRegressionModule, to_model_input
from ..preprocessing.prepare import TrainData
from . import distributed, lbfgs
from .callbacks import Callback, EpochHook, overrides
from .callbacks.late_scores import LateScores
from .callbacks.standard import standard_callbacks
from .checkpoints import check_like
from .optimizers import make_optimizer
from .schedules import lr_factor
from .signals import StopRequests
from .state import History, Position, restore_rng, rng_state


def draw_batch(data: TrainData, index: torch.Tensor):
    """(inputs, labels, row weights or None) of the rows in `index`. index_select rather than
    X[index]: measured on 2 busy cores, X[index] took ~10 ms per batch of 512 rows (its
    parallel kernel waits for threads), index_select 4-50 us."""
    weights = data.w.index_select(0, index) if data.w is not None else None
    return to_model_input(data.X.index_select(0, index)), data.y.index_select(0, index), weights


class Trainer:
    def __init__(self, model: nn.Module, settings: TrainingSettings, n_classes: int,
                 train: TrainData, val: TrainData | None = None, test: TrainData | None = None,
                 console: Console | None = None,
                 on_checkpoint: Callable[[int, dict], None] | None = None,
                 resume: dict | None = None, on_epoch: Callable[[dict], bool] | None = None,
                 optimizer=None, callbacks: Sequence[Callback] = (), resume_hint: str = ""):
        """`on_checkpoint(step, state)` writes a checkpoint; `resume` is a state to continue
        from. `on_epoch(row)` sees each history row and returns True to stop training there
        (the estimators' stopping rules); `callbacks` are more such components; `optimizer`
        continues with an earlier Trainer's optimizer and its state (MLPClassifier.partial_fit;
        mini-batch optimizers only)."""
        self.model, self.settings, self.console = model, settings, console or Console()
        self.train, self.val, self.test = train, val, test
        self.loss_fn = loss_function(n_classes)
        self.device, self.dist = train.X.device, distributed.current()
        self.lbfgs_twin = copy.deepcopy(model).double() if settings.optimizer == "lbfgs" else None
        self.optimizer = optimizer or make_optimizer(self.lbfgs_twin or model, settings,
                                                     len(train))
        self.net = self._data_parallel(model)
        # logistic regression's gradient without autograd (one process: DDP needs autograd)
        self.closed_form = isinstance(model, LogisticRegressionModule) and self.net is model
        self.generator = torch.Generator(device=self.device).manual_seed(settings.seed)
        self.history, self.position, self.stops = History(), Position(), StopRequests()
        self.bar, self._elapsed_before = None, 0.0
        extra = [*callbacks, *([EpochHook(on_epoch)] if on_epoch else [])]
        parts = standard_callbacks(self, on_checkpoint, extra, resume_hint)
        self.divergence, self.early, self.callbacks = parts
        self.late = LateScores(self, allowed=not extra)  # no hook of a caller's reads rows
        self._on_batch = [c for c in self.callbacks if overrides(c, "on_batch")]
        if resume is not None:
            self._restore(resume)
        self.started = time.perf_counter()

    def _data_parallel(self, model: nn.Module) -> nn.Module:
        """The module the training steps run: DDP under torchrun (L-BFGS excepted: every
        process solves the same full-batch problem), the model itself otherwise."""
        if not self.dist.enabled or self.settings.optimizer == "lbfgs":
            return model
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids)

    # --- the loop --------------------------------------------------------------------------

    def fit(self) -> History:
        self.model.train()
        self.late.start()
        try:
            with self.stops.installed():
                if self.settings.optimizer == "lbfgs":
                    lbfgs.fit(self)
                else:
                    self._fit_minibatch()
        except BaseException:
            self.late.finish(failed=True)  # its lines printed, its errors behind the training's
            raise
        self.late.finish()
        for callback in self.callbacks:
            callback.on_train_end(self)
        self.model.eval()
        return self.history

    def _fit_minibatch(self) -> None:
        total, pos, settings = self.total_steps(), self.position, self.settings
        factor = lr_factor(settings.schedule, total)
        with self.console.progress(total, "training", unit="step") as self.bar:
            self.bar.update(pos.step)
            while pos.step < total and not self.history.stopped_early:
                if pos.batch == 0:
                    self._start_epoch()
                batches = pos.order.split(settings.batch_size)
                while pos.batch < len(batches) and pos.step < total:
                    self._step(batches[pos.batch], settings.lr * factor(pos.step))
                    pos.batch, pos.step = pos.batch + 1, pos.step + 1
                    self.bar.update(1)
                    for callback in self.callbacks:
                        callback.after_step(self)
                    if self.late.pending:  # an epoch's or a point's line, as soon as it can
                        self.late.settle_ready()
                loss_sum, correct, seen = self.epoch_sums()
                self.end_epoch(loss_sum / max(seen, 1), correct / max(seen, 1))
        self.bar = None

    def _start_epoch(self) -> None:
        pos = self.position
        pos.epoch += 1
        pos.order = torch.randperm(len(self.train), generator=self.generator, device=self.device)
        pos.loss_sum = torch.zeros((), device=self.device)
        pos.correct = torch.zeros((), dtype=torch.long, device=self.device)
        pos.seen = 0

    def _step(self, index: torch.Tensor, lr: float) -> None:
        """One optimizer step on the global batch `index` (this process's share of it)."""
        rows = self.dist.shard(index)
        x, y, w = draw_batch(self.train, rows)
        for callback in self._on_batch:
            x = callback.on_batch(self, x)
        self.optimizer.set_lr(lr)
        if self.closed_form:  # forward, loss and backward in one closed form
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
        self._count(loss.detach(), logits, y, len(index), len(rows))

    @torch.no_grad()
    def _count(self, loss, logits, y, global_rows: int, rows: int) -> None:
        """The epoch's running sums, on the device."""
        pos = self.position
        pos.loss_sum.add_(loss, alpha=global_rows / self.dist.world)  # this process's row sum
        pos.correct += (predicted_classes(logits, self.settings.threshold) == y).sum()
        pos.seen += rows
        self.divergence.record(pos.step + 1, loss)  # the step being completed

    def end_epoch(self, train_loss: float, train_acc: float) -> None:
        """Record the epoch and let the components act; the next step starts an epoch."""
        self.divergence.check_epoch(self, train_loss)
        row = self._epoch_row(train_loss, train_acc)
        self.history.epochs.append(row)
        for callback in self.callbacks:
            if callback.on_epoch_end(self, row):
                self.history.stopped_early = True
        self.close_epoch()

    def close_epoch(self) -> None:
        """Put the position at an epoch boundary and run the components that act there (the
        checkpoint policy, stop requests)."""
        self.position.batch, self.position.order = 0, None
        for callback in self.callbacks:
            callback.after_epoch(self)

    def _epoch_row(self, train_loss: float, train_acc: float) -> dict:
        # Validation drives early stopping; the test scores are only recorded (learning curves,
        # time-to-accuracy in the benchmark), never used to choose anything: either may come in
        # later (callbacks/late_scores.py), validation's at once when early stopping reads it.
        pos = self.position
        row = {"epoch": pos.epoch, "step": pos.step,
               "lr": self.optimizer.param_groups[0]["lr"], "train_loss": train_loss,
               "train_accuracy": train_acc, "time_s": self.elapsed(), "unix_time": time.time(),
               "val_loss": math.nan, "val_accuracy": math.nan,
               "test_loss": math.nan, "test_accuracy": math.nan}
        for split in ("test", "val"):
            if getattr(self, split) is not None:
                self.late.request(split, lambda loss, acc, split=split: row.update(
                    {f"{split}_loss": loss, f"{split}_accuracy": acc}),
                    now=split == "val" and self.settings.early_stopping)
        return row

    # --- what the components ask ---------------------------------------------------------

    def scores(self, data: TrainData) -> tuple[float, float]:
        """(mean loss, accuracy) of the model on `data`; the model stays in training mode."""
        return scores(self.model, data, self.loss_fn, self.settings.threshold)

    def epoch_sums(self) -> tuple[float, float, int]:
        """The current epoch's loss sum, correct count and rows, over all processes."""
        pos = self.position
        sums = torch.stack([pos.loss_sum.float(), pos.correct.float(),
                            torch.tensor(float(pos.seen), device=self.device)])
        loss_sum, correct, seen = distributed.all_reduce(sums).tolist()
        return loss_sum, correct, int(seen)

    def total_steps(self) -> int:
        settings = self.settings
        if settings.optimizer == "lbfgs":
            return settings.iterations or settings.epochs
        if settings.iterations is not None:
            return settings.iterations
        return settings.epochs * self.steps_per_epoch()

    def steps_per_epoch(self) -> int:
        batch = self.settings.batch_size
        return math.ceil(len(self.train) / batch) if batch else 1

    def planned_epochs(self) -> int:
        if self.settings.iterations is None:
            return self.settings.epochs
        return math.ceil(self.total_steps() / self.steps_per_epoch())

    def finished(self) -> bool:
        history = self.history
        return self.position.step >= self.total_steps() or history.stopped_early or \
            bool(history.converged)

    def elapsed(self) -> float:
        return self._elapsed_before + time.perf_counter() - self.started

    # --- state for checkpoints -----------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """Everything to continue exactly. Under torchrun every process must call it (it
        gathers each process's random state and the epoch's running sums)."""
        self.late.settle()  # the history complete
        trained = self.lbfgs_twin or self.model
        position = self.position.to_state()
        if self.dist.enabled and position["loss_sum"] is not None:
            loss_sum, correct, seen = self.epoch_sums()  # the global sums, same types
            position.update(loss_sum=torch.tensor(loss_sum, dtype=position["loss_sum"].dtype),
                            correct=torch.tensor(correct).to(position["correct"].dtype),
                            seen=seen)
        return {"position": position, "model": trained.state_dict(),
                "optimizer": self.optimizer.state_dict(), "rng": rng_state(self.generator),
                "process_rng": distributed.gather(torch.get_rng_state()),
                "early_stopping": self.early.to_state(), "history": self.history.to_state(),
                "elapsed": self.elapsed()}

    def _restore(self, state: dict[str, Any]) -> None:
        trained = self.lbfgs_twin or self.model
        trained.load_state_dict(state["model"])
        if self.lbfgs_twin is not None:
            self.model.load_state_dict(self.lbfgs_twin.state_dict())
        check_like(state["optimizer"], self.optimizer.state_dict(), "optimizer")
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
        self.early.restore(state["early_stopping"], self.device)
        self.history = History.from_state(state["history"])
        self.divergence.checked_step = self.position.step
        self._elapsed_before = state["elapsed"]
