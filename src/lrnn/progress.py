"""Progress bars: drawn on stderr, and only when a person is watching (both streams are a
terminal), so logs and pipes stay clean."""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager

_thread = threading.local()


def interactive() -> bool:
    if getattr(_thread, "quiet", False):
        return False
    return sys.stdout.isatty() and sys.stderr.isatty()


@contextmanager
def no_bars_in_this_thread():
    """Hide the bars drawn in this thread (lrnn tune's trials, under its one bar of trials)."""
    before = getattr(_thread, "quiet", False)
    _thread.quiet = True
    try:
        yield
    finally:
        _thread.quiet = before


def progress_bar(total: int | None, desc: str, unit: str = "it", unit_scale: bool = False,
                 show: bool = True):
    """`show=False` hides it regardless (processes other than 0 under torchrun)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, leave=False,
                dynamic_ncols=True, disable=not (show and interactive()), file=sys.stderr)
