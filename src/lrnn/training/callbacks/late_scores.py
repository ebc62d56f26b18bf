"""The history's validation and test scores: computed on a second thread where a CPU core is
free, while the training goes on.

Each epoch's row holds the validation and test loss and accuracy, and each --eval-every point
the test's. Only early stopping reads them during training (it chooses by the validation
loss); nothing reads the test's, the schedules go by the step. So they need not stop the
loop: with the tutorial's settings (3,000 steps of a logistic regression on one thread, the
test every 500 steps, validation and test at each epoch's end) they were 18 scorings, ~0.15 s
of a 0.9 s training, while the second core sat idle.

Each scoring takes a copy of the model as it is at that step and runs the loop's own `scores`
(the same chunks, the same numbers), on one thread that scores them in turn. What waits for
them is queued behind them and run in order on the training's thread: a row's values filled
in, an epoch's or an --eval-every point's line printed, as soon as they are in (the loop
looks after each step), and all of them before a checkpoint and before fit() returns. Scored
in place, as before: on a GPU, under torchrun, when the training already uses every core,
when a caller's hook could read the rows, and validation when early stopping reads it.
"""

from __future__ import annotations

import copy
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import torch

from ...models.losses import scores
from ..openmp import usable_cores

Fill = Callable[[float, float], None]  # told (loss, accuracy)
MAX_QUEUED = 4  # scorings waiting or running; one more waits for the oldest


def core_is_free(device: torch.device) -> bool:
    """Whether a CPU training leaves a core of this process's share of the machine idle."""
    return device.type == "cpu" and torch.get_num_threads() < usable_cores()


class _Entry:
    def __init__(self, key: tuple | None, future: Future | None, known: tuple | None = None):
        self.key, self.future, self.known = key, future, known  # known: scores already in
        self.calls: list[Callable] = []  # fills (given the scores) or actions (given nothing)

    def result(self) -> tuple | None:
        return self.future.result() if self.future is not None else self.known


class LateScores:
    def __init__(self, trainer, allowed: bool):
        """`allowed`: whether the scores may come in late (no caller's hook reads the rows)."""
        self.trainer, self.allowed, self.background = trainer, allowed, False
        self._queue: list[_Entry] = []
        self._pool: ThreadPoolExecutor | None = None
        self._copy: tuple[int, torch.nn.Module] | None = None  # (step, the model then)
        self._known: dict[tuple, tuple[float, float]] = {}  # this step's scores handed out

    def start(self) -> None:
        """Choose where to score, as the training starts (its thread count is set by then)."""
        trainer = self.trainer
        # L-BFGS: an epoch is a few iterations, its lines would all wait for the scores
        self.background = self.allowed and not trainer.dist.enabled and \
            trainer.settings.optimizer != "lbfgs" and core_is_free(trainer.device)

    def request(self, split: str, fill: Fill, now: bool = False) -> None:
        """Score the trainer's `split` ("val" or "test") with the weights as they are; then
        `fill(loss, accuracy)`, in turn with everything asked for before. `now`: scored here
        and filled at once (something decides by it)."""
        trainer = self.trainer
        key = (trainer.position.step, split)
        queued = next((e for e in self._queue if e.key == key), None)
        if queued is not None:  # the same weights and rows: the same scores
            queued.calls.append(fill)
            return
        if key in self._known or now or not self.background:
            known = self._known.get(key) or self._remember(key, trainer.scores(
                getattr(trainer, split)))
            if self._queue and not now:  # behind what was asked for before
                self._queue.append(_Entry(key, None, known))
                self._queue[-1].calls.append(fill)
            else:
                fill(*known)
            return
        while len(self._queue) >= MAX_QUEUED:
            self._hand_out(1)
        entry = _Entry(key, self._pool_of_one().submit(
            scores, self._model_now(), getattr(trainer, split), trainer.loss_fn,
            trainer.settings.threshold))
        entry.calls.append(fill)
        self._queue.append(entry)

    def then(self, action: Callable[[], None]) -> None:
        """Run `action` (print a line) once everything asked for before is in."""
        if not self._queue:
            action()
            return
        entry = _Entry(None, None)
        entry.calls.append(action)
        self._queue.append(entry)

    @property
    def pending(self) -> bool:
        return bool(self._queue)

    def settle(self) -> None:
        """Hand out everything, waiting for each; a scoring's error is raised here."""
        self._hand_out(len(self._queue))

    def settle_ready(self) -> None:
        """Hand out, in order, what is in already."""
        ready = 0
        for entry in self._queue:
            if entry.future is not None and not entry.future.done():
                break
            ready += 1
        self._hand_out(ready)

    def finish(self, failed: bool = False) -> None:
        """At the training's end, however it ended: everything handed out in order (the rows
        filled, the lines printed, as in place), then the scoring thread ended. A scoring's
        error is raised, unless the training `failed` (its own error is the one to tell:
        that scoring's rows and lines are skipped)."""
        try:
            while self._queue:
                try:
                    self._hand_out(1)
                except Exception:
                    if not failed:
                        raise
        finally:
            self._close()

    def _close(self) -> None:
        """End the scoring thread: at once when all is handed out, else after the scoring it
        runs, the queued ones dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=not self._queue, cancel_futures=True)
            self._pool = None
        self._queue.clear()

    def _hand_out(self, count: int) -> None:
        for _ in range(count):
            entry = self._queue.pop(0)
            result = entry.result()
            if entry.key is not None:
                self._remember(entry.key, result)
            for call in entry.calls:
                call(*result) if result is not None else call()

    def _remember(self, key: tuple, result: tuple[float, float]) -> tuple[float, float]:
        """Keep the scores of this step's splits (a later step's drop the earlier ones)."""
        if any(known[0] != key[0] for known in self._known):
            self._known.clear()
        self._known[key] = result
        return result

    def _model_now(self) -> torch.nn.Module:
        step = self.trainer.position.step
        if self._copy is None or self._copy[0] != step:
            self._copy = (step, copy.deepcopy(self.trainer.model))
        return self._copy[1]

    def _pool_of_one(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="lrnn-scores")
        return self._pool
