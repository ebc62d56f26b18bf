"""The search space: which settings of `lrnn train` a study varies, over which values.

A space file is TOML with the names of `lrnn train`'s settings. A table is a searched setting,
a plain value a fixed one:

    C = { low = 0.001, high = 1000, log = true }     # a number range, log scale
    batch_size = { choices = [64, 128, 256] }          # one of these values
    epochs = { low = 5, high = 30, step = 5 }          # integers 5, 10, ..., 30
    hidden_layer_sizes = { layers = { low = 1, high = 3 }, width = { low = 32, high = 1024, log = true } }
    early_stopping = true                              # fixed in every trial

Every value is checked with the setting's own parser, before any trial runs.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._lrnn import SETTINGS, InputError, parse_setting, unknown_key_message

# Settings that choose the data, the output or the machine: never searched (flags only).
NOT_SEARCHED = ("device", "seed", "deterministic", "checkpoint_every", "eval_every", "out",
                "tensorboard")
RANGE_KEYS = ("low", "high", "log", "step")
LAYER_KEYS = ("layers", "width", "choices")
LAYER_COUNT = "hidden_layers"  # Optuna's name for the number of hidden layers


def _close(key: str, options) -> str:
    close = difflib.get_close_matches(key, list(options), n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else ""


@dataclass(frozen=True)
class Range:
    """A number between low and high (both included)."""

    name: str
    low: float
    high: float
    integer: bool
    log: bool = False
    step: float | None = None

    def suggest(self, trial, name: str | None = None):
        name = name or self.name
        if self.integer:
            return trial.suggest_int(name, int(self.low), int(self.high),
                                     step=int(self.step or 1), log=self.log)
        return trial.suggest_float(name, self.low, self.high, step=self.step, log=self.log)

    def to_json(self) -> dict:
        return {"low": self.low, "high": self.high, "log": self.log, "step": self.step}


@dataclass(frozen=True)
class Choice:
    name: str
    choices: tuple

    def suggest(self, trial):
        return trial.suggest_categorical(self.name, list(self.choices))

    def to_json(self) -> dict:
        return {"choices": list(self.choices)}


@dataclass(frozen=True)
class Layers:
    """hidden_layer_sizes: a number of hidden layers, and a width for each."""

    layers: Range
    width: Range
    name: str = "hidden_layer_sizes"

    def suggest(self, trial) -> str:
        count = self.layers.suggest(trial, LAYER_COUNT)
        return ",".join(str(self.width.suggest(trial, f"hidden_width_{i}"))
                        for i in range(1, count + 1))

    def to_json(self) -> dict:
        return {"layers": self.layers.to_json(), "width": self.width.to_json()}


@dataclass(frozen=True)
class Space:
    searched: tuple  # Range | Choice | Layers
    fixed: dict[str, Any]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.searched)

    def sample(self, trial) -> dict[str, Any]:
        """The settings of one trial: the fixed ones and one value of each searched one."""
        return {**self.fixed, **{p.name: p.suggest(trial) for p in self.searched}}

    def settings_of(self, params: dict[str, Any]) -> dict[str, Any]:
        """The settings of a trial from its Optuna parameters."""
        values = {name: value for name, value in params.items()
                  if name in SETTINGS}
        if LAYER_COUNT in params:
            values["hidden_layer_sizes"] = ",".join(
                str(params[f"hidden_width_{i}"]) for i in range(1, params[LAYER_COUNT] + 1))
        return {**self.fixed, **values}

    def without(self, names) -> "Space":
        """The space with these settings fixed elsewhere (flags given on the command line)."""
        names = set(names)
        if "C" in names or "alpha" in names:  # the same setting (alpha = 1/C)
            names |= {"C", "alpha"}
        return Space(tuple(p for p in self.searched if p.name not in names),
                     {k: v for k, v in self.fixed.items() if k not in names})

    def to_json(self) -> dict:
        return {"searched": {p.name: p.to_json() for p in self.searched},
                "fixed": {k: list(v) if isinstance(v, tuple) else v
                          for k, v in sorted(self.fixed.items())}}


def read_space(path: str | Path) -> Space:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"--space {path}: file not found") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError(f"--space {path}: cannot read ({exc.__class__.__name__})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"--space {path}: not valid TOML ({exc})") from None
    return space_from(raw, str(path))


def space_from(raw: dict[str, Any], where: str) -> Space:
    searched, fixed = [], {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in SETTINGS:
            raise InputError(unknown_key_message(key, where))
        if name in NOT_SEARCHED or SETTINGS[name].metadata["group"] in ("data", "output"):
            raise InputError(f"{where}: {key}: chooses the data, output or machine, not the "
                             f"model; give it as a flag of lrnn tune")
        if isinstance(value, dict):
            searched.append(_searched(name, value, f"{where}: {key}"))
        else:
            fixed[name] = parse_setting(name, value, f"{where}: {key}")
    if not searched:
        raise InputError(f"{where}: no setting to search; give at least one as a table, like "
                         f"lr = {{ low = 0.0001, high = 0.1, log = true }}")
    if {"C", "alpha"} <= {p.name for p in searched} | set(fixed):
        raise InputError(f"{where}: C and alpha: search one of them (alpha = 1/C), found both")
    return Space(tuple(searched), fixed)


def _searched(name: str, spec: dict, where: str):
    allowed = LAYER_KEYS if name == "hidden_layer_sizes" else RANGE_KEYS + ("choices",)
    for key in spec:
        if key not in allowed:
            raise InputError(f"{where}: unknown key '{key}'{_close(key, allowed)} (expected "
                             f"{', '.join(allowed)})")
    if "choices" in spec:
        others = [k for k in spec if k != "choices"]
        if others:
            raise InputError(f"{where}: choices and {others[0]}: give a list of choices or a "
                             f"range, found both")
        return _choices(name, spec["choices"], where)
    if name == "hidden_layer_sizes":
        return _layers(spec, where)
    kind = SETTINGS[name].type
    if getattr(SETTINGS[name].metadata["parse"], "options", None) or "bool" in kind \
            or not ("int" in kind or "float" in kind):
        raise InputError(f"{where}: expected choices = [...] (it is not a number), found a "
                         f"range")
    return _range(name, spec, where, integer="int" in kind and "float" not in kind)


def _choices(name: str, choices: Any, where: str) -> Choice:
    if not isinstance(choices, list) or not choices:
        raise InputError(f"{where}: choices: expected a non-empty list, found {choices!r}")
    parsed = []
    for value in choices:
        typed = parse_setting(name, value, f"{where}: choice")
        if isinstance(typed, tuple):  # layer widths: Optuna's choices are plain values
            typed = ",".join(map(str, typed))
        if typed in parsed:
            raise InputError(f"{where}: choices: {value!r} is listed twice")
        parsed.append(typed)
    return Choice(name, tuple(parsed))


def _range(name: str, spec: dict, where: str, integer: bool,
           parse=None) -> Range:
    parse = parse or (lambda value, at: parse_setting(name, value, at))
    for key in ("low", "high"):
        if key not in spec:
            raise InputError(f"{where}: expected both low and high, found no {key}")
    low, high = parse(spec["low"], f"{where}: low"), parse(spec["high"], f"{where}: high")
    log, step = spec.get("log", False), spec.get("step")
    if not isinstance(log, bool):
        raise InputError(f"{where}: log: expected true or false, found {log!r}")
    if low > high:
        raise InputError(f"{where}: inverted range: low {low} is above high {high}")
    if low == high:
        raise InputError(f"{where}: empty range: low = high = {low}; give a fixed value "
                         f"instead ({name} = {low})")
    if log and low <= 0:
        raise InputError(f"{where}: log scale needs low > 0, found low {low}")
    if step is not None:
        step = _step(step, low, high, log, integer, where)
    return Range(name, low, high, integer, log, step)


def _step(step: Any, low: float, high: float, log: bool, integer: bool, where: str) -> float:
    if isinstance(step, bool) or not isinstance(step, (int, float)) or step <= 0 or \
            (integer and not float(step).is_integer()):
        raise InputError(f"{where}: step: expected {'an integer' if integer else 'a number'} "
                         f"> 0, found {step!r}")
    if log:
        raise InputError(f"{where}: step and log: a log scale takes no step, found both")
    count = (high - low) / step
    if not math.isclose(count, round(count), abs_tol=1e-9):
        raise InputError(f"{where}: step {step} does not divide high - low = {high - low}")
    return int(step) if integer else float(step)


def _layers(spec: dict, where: str) -> Layers:
    def count(value, at):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{at}: expected an integer >= 1, found {value!r}")
        return value

    parts = {}
    for key in ("layers", "width"):
        part = spec.get(key)
        if key == "layers" and isinstance(part, int) and not isinstance(part, bool):
            parts[key] = Range(key, count(part, f"{where}: layers"), part, integer=True)
            continue  # a fixed number of layers, each width searched
        if not isinstance(part, dict):
            raise InputError(f"{where}: expected {key} = {{ low = ..., high = ... }}, found "
                             f"{part!r}")
        parts[key] = _range(key, part, f"{where}: {key}", integer=True, parse=count)
    return Layers(parts["layers"], parts["width"])
