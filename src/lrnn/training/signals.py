"""SIGINT and SIGTERM during training: a request to stop after the step in progress, seen by
the loop at fixed points (callbacks/stopping.py); a second SIGINT stops at once."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class StopRequests:
    def __init__(self):
        self.signum: int | None = None

    def request(self, signum: int) -> None:
        self.signum = signum

    def _handle(self, signum, frame) -> None:
        if self.signum == signal.SIGINT and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.request(signum)

    @contextmanager
    def installed(self):
        if threading.current_thread() is not threading.main_thread():
            yield self  # signal handlers can only be set from the main thread
            return
        previous = {s: signal.signal(s, self._handle) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
