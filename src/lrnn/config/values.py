"""Value parsers: each takes a CLI string or a TOML / Python value and returns the typed
value, or raises ValueError(what was expected)."""

from __future__ import annotations

import codecs
import math
import os
from typing import Any, Callable

# The largest integer a setting takes: what torch and numpy hold in an int64, and TOML too.
MAX_INT = 2**63 - 1
MAX_WIDTH = 2**31 - 1  # a layer's width, a batch's rows (beyond any machine's memory anyway)


def _number(value: Any, integer: bool) -> float | int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if integer else float(value)
    if integer and not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())):
        raise ValueError
    result = int(value) if integer else float(value)
    if not math.isfinite(result):
        raise ValueError
    return result


def ranged(integer: bool, low: float, low_open: bool, high: float | None = None,
           high_open: bool = True) -> Callable[[Any], Any]:
    """Numbers in a range; integers are never above MAX_INT (torch and numpy take int64)."""
    if high is None:
        high, high_open = (MAX_INT, False) if integer else (math.inf, True)
    kind = "an integer" if integer else "a number"
    low_txt = f"> {low}" if low_open else f">= {low}"
    high_txt = "" if high == math.inf else (f" and < {high}" if high_open else f" and <= {high}")
    expected = f"{kind} {low_txt}{high_txt}"

    def parse(value: Any) -> Any:
        try:
            x = _number(value, integer)
        except (TypeError, ValueError):
            raise ValueError(expected) from None
        if (x <= low if low_open else x < low) or (x >= high if high_open else x > high):
            raise ValueError(expected)
        return x

    return parse


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError("one of " + ", ".join(options))
        return value

    parse.options = options  # shown by --help
    return parse


def sizes(value: Any) -> tuple[int, ...]:
    expected = f"comma-separated layer widths, each an integer from 1 to {MAX_WIDTH} (like 256,128)"
    if isinstance(value, str):
        value = [part for part in value.replace(" ", "").split(",") if part]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(expected)
    try:
        widths = tuple(_number(v, integer=True) for v in value)
    except (TypeError, ValueError):
        raise ValueError(expected) from None
    if any(s < 1 or s > MAX_WIDTH for s in widths):
        raise ValueError(expected)
    return widths


def text(value: Any) -> str:
    """A non-empty text that is valid UTF-8 (a file name that is not could not be written into
    the run's files)."""
    if isinstance(value, os.PathLike):  # the Python API takes paths too
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise ValueError("a non-empty text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a text that is valid UTF-8 (rename the file)") from None
    return value


def encoding(value: Any) -> str:
    """The name of a text encoding Python knows (not a bytes-to-bytes codec such as base64)."""
    expected = "a text encoding such as utf-8, latin-1, cp1252 or utf-16"
    try:
        codec = codecs.lookup(text(value))
    except (LookupError, ValueError):
        raise ValueError(expected) from None
    if not getattr(codec, "_is_text_encoding", True):  # rot13, base64, zlib, hex...
        raise ValueError(expected)
    return value


def names(value: Any) -> tuple[str, ...]:
    """Column names: a comma-separated text (flags) or a list (TOML, for names with commas)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("column names, comma-separated")
    return tuple(value)


def delimiter(value: Any) -> str:
    if isinstance(value, str) and value.lower() in ("\\t", "tab"):
        return "\t"
    if not isinstance(value, str) or len(value) != 1 or value in "\n\r\"":
        raise ValueError("one character (or tab)")
    return value


def decimal(value: Any) -> str:
    if value not in (".", ","):
        raise ValueError("'.' or ','")
    return value


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("true or false")


positive = ranged(False, 0, low_open=True)
positive_int = ranged(True, 1, low_open=False)
share = ranged(False, 0, low_open=False, high=1)  # a fraction in [0, 1)
