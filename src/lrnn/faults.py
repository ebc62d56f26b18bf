"""Test-only fault injection at exact points, so that tests of interruption, crashes and disk
faults never depend on timing.

Set LRNN_FAULT to comma-separated `action@point=N` entries, for example
`interrupt@step=150`, `sigterm@epoch=2`, `kill@checkpoint=2`, `raise@checkpoint=1`,
`nan@step=30`, `hold@step=3`. Each fires once, when the training loop reaches that point:

- interrupt / sigterm: as if SIGINT / SIGTERM arrived then (the loop finishes the step,
  checkpoints and exits 130 / 143);
- kill / raise: in the middle of writing that checkpoint (counted from 1 in this process), the
  process SIGKILLs itself / the write raises OSError;
- nan: that step's inputs become NaN, so its loss is not finite;
- hold: wait there (signalling it with the file `<LRNN_FAULT_RELEASE>.waiting`) until the file
  named by LRNN_FAULT_RELEASE exists.

Unset in normal use: `active()` is then False and nothing else runs.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

_PLANNED: dict[tuple[str, int], str] = {}
for entry in filter(None, os.environ.get("LRNN_FAULT", "").replace(" ", "").split(",")):
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
