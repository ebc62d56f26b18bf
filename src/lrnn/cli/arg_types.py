"""Value types of the command line's own flags (the train settings parse through config/)."""

from __future__ import annotations

import argparse
import math


def positive_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}")
    return int(text)


def byte_count(text: str) -> int:
    """A size in bytes: 8388608, 512KiB, 8MiB."""
    units = {"": 1, "k": 1000, "kb": 1000, "kib": 1 << 10, "m": 10**6, "mb": 10**6,
             "mib": 1 << 20, "g": 10**9, "gb": 10**9, "gib": 1 << 30}
    number = text.strip().lower().rstrip("bikmg") or "x"
    unit = text.strip().lower()[len(number):]
    if not number.isdigit() or unit not in units or int(number) < 1:
        raise argparse.ArgumentTypeError(f"expected a size in bytes such as 8388608 or 8MiB, "
                                         f"found {text!r}")
    return int(number) * units[unit]


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not seconds > 0 or seconds == math.inf:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, found {text!r}")
    return seconds
