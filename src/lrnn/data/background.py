"""A call run on a daemon thread, its result or its error taken later: the early reads of
idx/early_read.py, idx/early_file.py and tables/early_read.py, which begin before a slow import
and are taken where the command would have read the data."""

from __future__ import annotations

import threading
from typing import Any, Callable


class Background(threading.Thread):
    def __init__(self, name: str, call: Callable[[], Any]):
        super().__init__(name=name, daemon=True)
        self._call, self._result, self._error = call, None, None
        self.start()

    def run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as exc:  # raised where the result is taken
            self._error = exc

    def result(self) -> Any:
        """The call's value once it has returned; its exception, if it raised one."""
        self.join()
        if self._error is not None:
            raise self._error
        return self._result
