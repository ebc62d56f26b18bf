"""Settings from the places a user writes them (flags, a TOML file, keyword arguments) to a
checked RunConfig; a misspelled name is an error with "did you mean"."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..errors import InputError
from .checks import check_combinations
from .settings import SETTINGS, RunConfig


SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """A value as an error message quotes it: plain values in full (up to SHOWN_CHARS), others
    by their type, never a whole table or array."""
    if isinstance(value, (str, int, float, bool, type(None), list, tuple)):
        text = repr(value)
        return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 3] + "..."
    return f"a {type(value).__module__.split('.')[0]}.{type(value).__name__}"


def parse_setting(name: str, value: Any, where: str) -> Any:
    """One setting from a CLI string or TOML value; `where` names its source for the message."""
    try:
        return SETTINGS[name].metadata["parse"](value)
    except ValueError as exc:
        raise InputError(f"{where}: expected {exc}, found {shown(value)}") from None


def unknown_key_message(key: str, where: str) -> str:
    import difflib  # only for a mistake: not on every command's start (~1 ms)

    close = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"{where}: unknown setting '{key}'{hint}"


MAX_TOML_BYTES = 1 << 20  # settings, not data: a megabyte is far more than any needs


def read_toml(path: str | Path) -> dict[str, Any]:
    """Settings from a TOML file: flat `name = value` lines, the names of the CLI flags. The
    file is a regular file of at most MAX_TOML_BYTES (never a FIFO or a device)."""
    from ..artifacts.safe_io import read_regular, shown

    path = Path(path)
    data = read_regular(path, "a config file (TOML)", limit=MAX_TOML_BYTES)
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{shown(path)}: not UTF-8 text, as TOML must be ({exc})") from None
    except RecursionError:
        raise InputError(f"{shown(path)}: nested too deeply; expected flat `name = value` "
                         f"lines") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{shown(path)}: not valid TOML ({exc})") from None
    values = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in SETTINGS:
            raise InputError(unknown_key_message(key, str(path)))
        values[name] = parse_setting(name, value, f"{path}: {key}")
    return values


def build_config(values: dict[str, Any]) -> RunConfig:
    """A checked RunConfig from settings given as text or as typed values."""
    parsed = {}
    for key, value in values.items():
        if key not in SETTINGS:
            raise InputError(unknown_key_message(key, "settings"))
        parsed[key] = parse_setting(key, value, key) if value is not None else None
    config = RunConfig(**parsed)
    check_combinations(config)
    return config
