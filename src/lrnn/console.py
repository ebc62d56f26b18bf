"""Where lrnn talks to the person running it: result lines on stdout, warnings on stderr, and
progress bars on stderr only while a person watches (both streams a terminal), so that logs
and pipes stay clean.

One Console travels through a run instead of loose `log` / `warn` callables. While a bar is
on the screen, lines go through tqdm's writer, which clears the bar, prints the line and
draws the bar again below it: lines and bars never interleave (Python's own warnings are
shown the same way while a bar is drawn).
"""

from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager


def interactive() -> bool:
    return sys.stdout.isatty() and sys.stderr.isatty()


class Console:
    def __init__(self, quiet: bool = False, warnings: bool = True, bars: bool = True):
        """`quiet`: no result lines; `warnings`: print warnings; `bars`: allow progress bars
        (processes other than 0 under torchrun have none of the three)."""
        self.quiet, self.warnings, self.bars = quiet, warnings, bars

    @classmethod
    def silent(cls) -> "Console":
        return cls(quiet=True, warnings=False, bars=False)

    @property
    def watched(self) -> bool:
        """A person sees the bars (worth the device sync of refreshing one)."""
        return self.bars and interactive()

    def log(self, message: str) -> None:
        if not self.quiet:
            self._write(message, sys.stdout)

    def warn(self, message: str) -> None:
        if self.warnings:
            self._write(f"lrnn: warning: {message}", sys.stderr)

    def _write(self, message: str, stream) -> None:
        tqdm = sys.modules.get("tqdm")
        if tqdm is not None and any(not bar.disable for bar in tqdm.tqdm._instances):
            tqdm.tqdm.write(message, file=stream)  # clears the bars, prints, redraws them
        else:
            print(message, file=stream, flush=stream is sys.stderr)

    def bar(self, total: int | None, desc: str, unit: str = "it", unit_scale: bool = False):
        """A tqdm bar (a disabled one when nobody watches) that disappears when closed."""
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, leave=False,
                    dynamic_ncols=True, disable=not self.watched, file=sys.stderr)

    @contextmanager
    def progress(self, total: int | None, desc: str, unit: str = "it",
                 unit_scale: bool = False):
        """A bar for the duration of the block; Python's warnings (torch's, numpy's) are
        written above it, as lines are."""
        shown = warnings.showwarning
        with self.bar(total, desc, unit, unit_scale) as bar:
            if not bar.disable:
                warnings.showwarning = self._show_warning
            try:
                yield bar
            finally:
                warnings.showwarning = shown

    def _show_warning(self, message, category, filename, lineno, file=None, line=None):
        text = warnings.formatwarning(message, category, filename, lineno, line)
        self._write(text.rstrip("\n"), sys.stderr)
