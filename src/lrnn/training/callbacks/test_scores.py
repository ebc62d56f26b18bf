"""The test split's scores during training: on a second thread where a CPU core is free.

The history records the test loss and accuracy at each epoch end and each --eval-every point,
and nothing in the loop reads them (validation chooses: early stopping, the schedules, the
best epoch), so the loop need not wait for them. With the tutorial's settings (3,000 steps of
a logistic regression on one thread, the test every 500 steps and at each epoch end) they were
twelve scorings of 10,000 rows, ~0.12 s of a 0.9 s training, while the second core sat idle.

Each scoring takes a copy of the model as it is at that step and runs the loop's own
`scores` (the same chunks, the same numbers). One runs at a time (a new one waits for the one
before), and their results are handed out in the order they were asked for: an --eval-every
line is printed when its scores arrive, and every one is in before an epoch's line, before a
checkpoint and before fit() returns. Scored in place, as before: on a GPU, under torchrun,
when the training already uses every core, and when a caller's hook could read the rows.
"""

from __future__ import annotations

import copy
import os
from typing import Callable

import torch

from ...data.background import Background
from ...models.losses import scores

Fill = Callable[[float, float], None]  # told (test loss, test accuracy)


def core_is_free(device: torch.device) -> bool:
    """Whether a CPU training leaves a core of this process's share of the machine idle."""
    if device.type != "cpu":
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return torch.get_num_threads() < cores


class _Job:
    def __init__(self, step: int, thread: Background):
        self.step, self.thread = step, thread
        self.fills: list[Fill] = []
        self.prints = False  # whether a fill prints a line (which must come before the next)


class TestScores:
    def __init__(self, trainer, allowed: bool):
        """`allowed`: whether the scores may be late (no caller's hook reads the rows)."""
        self.trainer, self.allowed, self.background = trainer, allowed, False
        self._pending: list[_Job] = []
        self._last: tuple[int, tuple[float, float]] | None = None  # (step, scores) handed out

    def start(self) -> None:
        """Choose where to score, as the training starts (its thread count is set by then)."""
        trainer = self.trainer
        self.background = self.allowed and trainer.test is not None and \
            not trainer.dist.enabled and core_is_free(trainer.device)

    def request(self, fill: Fill, prints: bool = False) -> None:
        """Score the test split with the weights as they are now; `fill(loss, accuracy)` once
        the scores are known (at once when scored in place); `prints`: it prints a line."""
        trainer = self.trainer
        step = trainer.position.step
        if self._pending and self._pending[-1].step == step:  # the same weights: the same job
            self._pending[-1].fills.append(fill)
            self._pending[-1].prints |= prints
            return
        if not self._pending and self._last is not None and self._last[0] == step:
            fill(*self._last[1])
            return
        if not self.background:
            self._last = (step, trainer.scores(trainer.test))
            fill(*self._last[1])
            return
        self.settle()  # one at a time
        model, test = copy.deepcopy(trainer.model), trainer.test
        loss_fn, threshold = trainer.loss_fn, trainer.settings.threshold
        job = _Job(step, Background("lrnn-test-scores",
                                    lambda: scores(model, test, loss_fn, threshold)))
        job.fills.append(fill)
        job.prints = prints
        self._pending.append(job)

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def settle(self) -> None:
        """Hand out every score asked for, waiting for each; a scoring's error is raised here."""
        self._hand_out(len(self._pending))

    def settle_ready(self) -> None:
        """Hand out the scores already in, in order."""
        ready = 0
        while ready < len(self._pending) and not self._pending[ready].thread.is_alive():
            ready += 1
        self._hand_out(ready)

    def settle_lines(self) -> None:
        """Hand out, waiting where needed, every score that prints a line: before another."""
        printing = [i for i, job in enumerate(self._pending) if job.prints]
        self._hand_out(printing[-1] + 1 if printing else 0)

    def _hand_out(self, count: int) -> None:
        for _ in range(count):
            job = self._pending.pop(0)
            self._last = (job.step, job.thread.result())
            for fill in job.fills:
                fill(*self._last[1])
