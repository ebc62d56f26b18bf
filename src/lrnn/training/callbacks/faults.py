"""Test-only fault injection at exact points, so that tests of interruption, crashes and disk
faults never depend on timing. It enters the training loop through the same hooks as every
other component (FaultInjection, added by loop.standard_callbacks only when LRNN_FAULT is set),
and checkpoint writes through the writer's `write` hook.

Set LRNN_FAULT to comma-separated `action@point=N` entries, for example
`interrupt@step=150`, `sigterm@epoch=2`, `kill@checkpoint=2`, `raise@checkpoint=1`,
`nan@step=30`, `hold@step=3`. Each fires once, when the training loop reaches that point:

- interrupt / sigterm: as if SIGINT / SIGTERM arrived then (the loop finishes the step,
  checkpoints and exits 130 / 143);
- kill / raise: in the middle of writing that checkpoint (counted from 1 in this process), the
  process SIGKILLs itself / the write raises OSError; `kill@step=N`: SIGKILL at that step;
- nan: that step's inputs become NaN, so its loss is not finite;
- hold: wait there (signalling it with the file `<LRNN_FAULT_RELEASE>.waiting`) until the file
  named by LRNN_FAULT_RELEASE exists.

Under torchrun, LRNN_FAULT_RANK=r limits the faults to the process of rank r, and a job that
torchrun restarted runs without them. Unset in normal use: `active()` is then False and nothing
of this module runs.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from . import Callback

_PLANNED: dict[tuple[str, int], str] = {}
# Under torchrun: only the process of rank LRNN_FAULT_RANK (when set), and only in the job's
# first attempt, so that a restarted job runs clean.
_ENV = os.environ
_THIS_PROCESS = _ENV.get("LRNN_FAULT_RANK", _ENV.get("RANK", "0")) == _ENV.get("RANK", "0") \
    and _ENV.get("TORCHELASTIC_RESTART_COUNT", "0") == "0"
_ENTRIES = _ENV.get("LRNN_FAULT", "") if _THIS_PROCESS else ""
for entry in filter(None, _ENTRIES.replace(" ", "").split(",")):
    action, _, where = entry.partition("@")
    point, _, number = where.partition("=")
    _PLANNED[(point, int(number))] = action

SIGNALS = {"interrupt": signal.SIGINT, "sigterm": signal.SIGTERM}


def active() -> bool:
    return bool(_PLANNED)


def take(point: str, number: int) -> str | None:
    """The action planned at `point` = `number`, if any (each fires once)."""
    return _PLANNED.pop((point, number), None) if _PLANNED else None


def hold() -> None:
    """Wait for the release file; `<release>.waiting` tells a test that the run is waiting."""
    release = Path(os.environ["LRNN_FAULT_RELEASE"])
    Path(f"{release}.waiting").touch()
    while not release.exists():
        time.sleep(0.05)


def kill_now() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class FaultInjection(Callback):
    """The planned faults at the loop's hook points, and in the middle of checkpoint writes."""

    def on_batch(self, trainer, x):
        action = take("step", trainer.position.step + 1)  # the step this batch trains
        if action in SIGNALS:
            trainer.stops.request(SIGNALS[action])
        elif action == "hold":
            hold()
        elif action == "kill":
            kill_now()
        elif action == "nan":
            x = x * float("nan")
        return x

    def after_epoch(self, trainer) -> None:
        action = take("epoch", trainer.position.epoch)
        if action in SIGNALS:
            trainer.stops.request(SIGNALS[action])


_checkpoints_written = 0


def checkpoint_write():
    """The `write(file, blob)` hook for this process's next checkpoint write: a write that
    dies (`kill`) or fails (`raise`) half-way through when one is planned, else None."""
    global _checkpoints_written
    _checkpoints_written += 1
    fault = take("checkpoint", _checkpoints_written)
    if fault is None:
        return None

    def write(f, blob: bytes) -> None:
        f.write(blob[: len(blob) // 2])
        f.flush()
        if fault == "kill":
            kill_now()
        raise OSError(5, "injected failure in the middle of a checkpoint write")
    return write
