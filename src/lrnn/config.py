"""Every setting of a run: one frozen dataclass, its TOML file, and the checks on it.

CLI flags and TOML keys are the same names (flags spell `_` as `-`). Names follow
scikit-learn where it has one. Settings left unset are filled by `resolve()` once the size of
the training split is known: see `recipes.py` for the rule.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from .errors import InputError

IDX_DATASETS = ("mnist", "fashion-mnist")
BUILTIN_DATASETS = ("digits", "breast_cancer", "iris", "wine")
DATASETS = IDX_DATASETS + BUILTIN_DATASETS
MODELS = ("logreg", "mlp")
OPTIMIZERS = ("sgd", "adam", "adamw", "lbfgs")
SCHEDULES = ("none", "cosine", "onecycle", "step")
ACTIVATIONS = ("relu", "tanh", "gelu", "sigmoid", "leaky_relu", "silu", "elu", "identity")
DEVICES = ("auto", "cpu", "cuda", "mps")
DEFAULT_DATASET = "digits"
FILE_SETTINGS = ("target", "test_data", "id_column", "delimiter", "decimal", "categorical",
                 "numeric", "drop")


# --- value parsers: take a CLI string or a TOML value, return the typed value or raise
# ValueError(what was expected) -------------------------------------------------------------


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


def _ranged(integer: bool, low: float, low_open: bool, high: float = math.inf,
            high_open: bool = True) -> Callable[[Any], Any]:
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


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise ValueError("one of " + ", ".join(options))
        return value

    parse.options = options  # shown by --help
    return parse


def _sizes(value: Any) -> tuple[int, ...]:
    expected = "comma-separated layer widths, each an integer >= 1 (like 256,128)"
    if isinstance(value, str):
        value = [part for part in value.replace(" ", "").split(",") if part]
    if not isinstance(value, (list, tuple)) or not value:
        raise ValueError(expected)
    try:
        sizes = tuple(_number(v, integer=True) for v in value)
    except (TypeError, ValueError):
        raise ValueError(expected) from None
    if any(s < 1 for s in sizes):
        raise ValueError(expected)
    return sizes


def _text(value: Any) -> str:
    if isinstance(value, os.PathLike):  # the Python API takes paths too
        value = os.fspath(value)
    if not isinstance(value, str) or not value:
        raise ValueError("a non-empty text")
    return value


def _names(value: Any) -> tuple[str, ...]:
    """Column names: a comma-separated text (flags) or a list (TOML, for names with commas)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v for v in value):
        raise ValueError("column names, comma-separated")
    return tuple(value)


def _delimiter(value: Any) -> str:
    if isinstance(value, str) and value.lower() in ("\\t", "tab"):
        return "\t"
    if not isinstance(value, str) or len(value) != 1 or value in "\n\r\"":
        raise ValueError("one character (or tab)")
    return value


def _decimal(value: Any) -> str:
    if value not in (".", ","):
        raise ValueError("'.' or ','")
    return value


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError("true or false")


_positive = _ranged(False, 0, low_open=True)
_positive_int = _ranged(True, 1, low_open=False)


def setting(default: Any, help: str, parse: Callable[[Any], Any], group: str,
            metavar: str | None = None) -> Any:
    """A dataclass field carrying what the CLI and the TOML reader need to know about it."""
    meta = {"help": help, "parse": parse, "group": group, "metavar": metavar}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class RunConfig:
    """All settings of `lrnn train`. `None` means "chosen by resolve()"."""

    # data
    dataset: str | None = setting(None, "built-in dataset to train on (when no --data)",
                                  _choice(DATASETS), "data")
    data: str | None = setting(None, "your training data: a .csv, .tsv or .parquet file",
                               _text, "data", "FILE")
    target: str | None = setting(None, "--data: the column to predict", _text, "data", "COLUMN")
    test_data: str | None = setting(
        None, "--data: a test file with the same columns (otherwise a held-out split)", _text,
        "data", "FILE")
    id_column: str | None = setting(None, "--data: a column to carry through to predictions, "
                                    "never used as a feature", _text, "data", "COLUMN")
    delimiter: str | None = setting(None, "--data: field separator (default , or tab for .tsv)",
                                    _delimiter, "data", "CHAR")
    decimal: str | None = setting(None, "--data: decimal mark in numbers, . or , (default .)",
                                  _decimal, "data", "CHAR")
    encoding: str = setting("utf-8", "--data: text encoding of the file", _text, "data")
    categorical: tuple[str, ...] = setting((), "--data: columns to treat as categories",
                                           _names, "data", "COLUMNS")
    numeric: tuple[str, ...] = setting((), "--data: columns to treat as numbers", _names, "data",
                                       "COLUMNS")
    drop: tuple[str, ...] = setting((), "--data: columns to leave out", _names, "data",
                                    "COLUMNS")
    data_dir: str | None = setting(
        None, "folder holding the dataset's four IDX files (otherwise $LRNN_DATA_DIR/<dataset>, "
        "the cache, then a download)", _text, "data", "DIR")
    val_fraction: float = setting(
        0.1, "stratified share of the training data held out for validation (0 for none)",
        _ranged(False, 0, low_open=False, high=1), "data")
    test_fraction: float = setting(
        0.2, "stratified held-out test share for datasets without their own test split",
        _ranged(False, 0, low_open=True, high=1), "data")
    # model
    model: str = setting("logreg", "logreg: logistic regression; mlp: neural network",
                         _choice(MODELS), "model")
    hidden_layer_sizes: tuple[int, ...] = setting(
        (256,), "mlp: widths of the hidden layers", _sizes, "model", "N,N,...")
    activation: str = setting("relu", "mlp: activation between layers", _choice(ACTIVATIONS),
                              "model")
    dropout: float | None = setting(
        None, "mlp: dropout probability after each hidden layer",
        _ranged(False, 0, low_open=False, high=1), "model")
    C: float | None = setting(
        None, "inverse L2 strength as in scikit-learn's LogisticRegression (alpha = 1/C)",
        _positive, "model")
    alpha: float | None = setting(
        None, "L2 strength on weights, never biases: adds alpha/(2 n_train) * sum(w^2) to the "
        "mean loss, as scikit-learn's MLPClassifier", _ranged(False, 0, low_open=False), "model")
    threshold: float = setting(
        0.5, "two classes: predict the positive class when its probability >= threshold",
        _ranged(False, 0, low_open=True, high=1), "model")
    class_weight: str = setting(
        "none", "balanced: weight each class by n_rows / (n_classes * its rows)",
        _choice(("none", "balanced")), "model")
    # training
    optimizer: str | None = setting(None, "optimizer", _choice(OPTIMIZERS), "training")
    lr: float | None = setting(None, "learning rate (peak rate for onecycle)", _positive,
                               "training")
    momentum: float | None = setting(
        None, "sgd: momentum", _ranged(False, 0, low_open=False, high=1), "training")
    nesterov: bool = setting(False, "sgd: Nesterov momentum", _flag, "training")
    schedule: str | None = setting(
        None, "learning-rate schedule over the whole run (step: x0.1 at 50%% and 75%%)",
        _choice(SCHEDULES), "training")
    batch_size: int | None = setting(None, "mini-batch size (lbfgs: always the full batch)",
                                     _positive_int, "training")
    epochs: int | None = setting(None, "passes over the training data (lbfgs: iterations)",
                                 _positive_int, "training")
    iterations: int | None = setting(
        None, "optimizer steps in all, instead of --epochs", _positive_int, "training")
    eval_every: int | None = setting(
        None, "print the test accuracy every N iterations, as the MNIST tutorial does",
        _positive_int, "training", "N")
    early_stopping: bool = setting(
        False, "stop when the validation loss stops improving; keep the best weights", _flag,
        "training")
    patience: int = setting(5, "early stopping: epochs without improvement before stopping",
                            _positive_int, "training")
    tol: float = setting(
        1e-4, "smallest validation-loss improvement that counts; lbfgs: gradient tolerance",
        _ranged(False, 0, low_open=False), "training")
    device: str = setting("auto", "where to train (auto: cuda, then mps, then cpu)",
                          _choice(DEVICES), "training")
    seed: int = setting(0, "seed for the splits, the initial weights and the batch order",
                        _ranged(True, 0, low_open=False), "training")
    deterministic: bool = setting(
        False, "use only deterministic algorithms (bit-identical reruns, maybe slower)", _flag,
        "training")
    checkpoint_every: int | None = setting(
        None, "also checkpoint every N steps (checkpoints are always written at epoch ends)",
        _positive_int, "training", "N")
    # output
    out: str | None = setting(None, "run directory (default runs/<dataset>-<model>-<time>)",
                              _text, "output", "DIR")
    tensorboard: bool = setting(
        False, "also write the per-epoch curves as TensorBoard scalars in <run>/tensorboard/ "
        "(needs: pip install 'lrnn[tensorboard]')", _flag, "output")

    @property
    def source_name(self) -> str:
        """The training data's short name: the file's stem, or the built-in dataset's name."""
        return Path(self.data).stem if self.data else self.dataset or DEFAULT_DATASET

    def to_dict(self) -> dict[str, Any]:
        """The settings that are set, in TOML-ready types."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and value != ():
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


SETTINGS = {f.name: f for f in fields(RunConfig)}


def parse_setting(name: str, value: Any, where: str) -> Any:
    """One setting from a CLI string or TOML value; `where` names its source for the message."""
    try:
        return SETTINGS[name].metadata["parse"](value)
    except ValueError as exc:
        raise InputError(f"{where}: expected {exc}, found {value!r}") from None


def unknown_key_message(key: str, where: str) -> str:
    close = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"{where}: unknown setting '{key}'{hint}"


def read_toml(path: str | Path) -> dict[str, Any]:
    """Settings from a TOML file: flat `name = value` lines, the names of the CLI flags."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: config file not found") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read config file ({exc.__class__.__name__})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
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


def check_combinations(config: RunConfig) -> None:
    """Settings that are fine alone but not together."""
    if config.data is not None and config.dataset is not None:
        raise InputError("--data and --dataset: set one of them, found both")
    if config.data is not None and config.target is None:
        raise InputError(f"--data {config.data}: needs --target, the column to predict")
    if config.data is None:
        given = [name for name in FILE_SETTINGS if getattr(config, name) not in (None, ())]
        if given:
            raise InputError(f"--{given[0].replace('_', '-')}: applies to --data files only")
    if config.data_dir is not None and config.dataset not in IDX_DATASETS:
        raise InputError("--data-dir: applies to --dataset mnist or fashion-mnist only")
    if config.C is not None and config.alpha is not None:
        raise InputError("--C and --alpha: set one of them (alpha = 1/C), found both")
    if config.epochs is not None and config.iterations is not None:
        raise InputError("--epochs and --iterations: set one of them, found both")
    if config.early_stopping and config.val_fraction == 0:
        raise InputError("--early-stopping: needs a validation split, found --val-fraction 0")
    if config.optimizer == "lbfgs" and config.schedule not in (None, "none"):
        raise InputError(f"--schedule {config.schedule}: lbfgs takes no schedule")
    if config.momentum is not None and config.optimizer != "sgd":
        raise InputError("--momentum: applies to --optimizer sgd only")
    if config.nesterov and not (config.optimizer == "sgd" and (config.momentum or 0) > 0):
        raise InputError("--nesterov: needs --optimizer sgd and --momentum > 0")


def replace(config: RunConfig, **changes: Any) -> RunConfig:
    return dataclasses.replace(config, **changes)
