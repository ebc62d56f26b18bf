"""RunConfig: every setting of a run, in one frozen dataclass whose fields carry what the CLI
and the TOML reader need (help text, parser, group).

CLI flags and TOML keys are the same names (flags spell `_` as `-`). Names follow
scikit-learn where it has one. Settings left unset are filled by `recipes.resolve()` once the
size of the training split is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from . import values
from .names import (ACTIVATIONS, DATASETS, DEFAULT_DATASET, DEVICES, IN_MEMORY, MODELS,
                    OPTIMIZERS, SCHEDULES)


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
                                  values.choice(DATASETS), "data")
    data: str | None = setting(None, "your training data: a .csv, .tsv or .parquet file",
                               values.text, "data", "FILE")
    target: str | None = setting(None, "--data: the column to predict", values.text, "data",
                                 "COLUMN")
    test_data: str | None = setting(
        None, "--data: a test file with the same columns (otherwise a held-out split)", values.text,
        "data", "FILE")
    id_column: str | None = setting(None, "--data: a column to carry through to predictions, "
                                    "never used as a feature", values.text, "data", "COLUMN")
    delimiter: str | None = setting(None, "--data: field separator",
                                    values.delimiter, "data", "CHAR")
    decimal: str | None = setting(None, "--data: decimal mark in numbers, . or ,",
                                  values.decimal, "data", "CHAR")
    encoding: str = setting("utf-8", "--data: text encoding of the file (utf-8, latin-1, cp1252, "
                            "utf-16, ...)", values.encoding, "data")
    categorical: tuple[str, ...] = setting((), "--data: columns to treat as categories",
                                           values.names, "data", "COLUMNS")
    numeric: tuple[str, ...] = setting((), "--data: columns to treat as numbers", values.names,
                                       "data",
                                       "COLUMNS")
    drop: tuple[str, ...] = setting((), "--data: columns to leave out", values.names, "data",
                                    "COLUMNS")
    data_dir: str | None = setting(
        None, "folder holding the dataset's four IDX files (otherwise $LRNN_DATA_DIR/<dataset>, "
        "the cache, then a download)", values.text, "data", "DIR")
    val_fraction: float = setting(
        0.1, "stratified share of the training data held out for validation (0 for none)",
        values.ranged(False, 0, low_open=False, high=1), "data")
    test_fraction: float = setting(
        0.2, "stratified held-out test share for datasets without their own test split",
        values.ranged(False, 0, low_open=True, high=1), "data")
    # model
    model: str = setting("logreg", "logreg: logistic regression; mlp: neural network",
                         values.choice(MODELS), "model")
    hidden_layer_sizes: tuple[int, ...] = setting(
        (256,), "mlp: widths of the hidden layers", values.sizes, "model", "N,N,...")
    activation: str = setting("relu", "mlp: activation between layers", values.choice(ACTIVATIONS),
                              "model")
    dropout: float | None = setting(
        None, "mlp: dropout probability after each hidden layer",
        values.ranged(False, 0, low_open=False, high=1), "model")
    C: float | None = setting(
        None, "inverse L2 strength as in scikit-learn's LogisticRegression (alpha = 1/C)",
        values.positive, "model")
    alpha: float | None = setting(
        None, "L2 strength on weights, never biases: adds alpha/(2 n_train) * sum(w^2) to the "
        "mean loss, as scikit-learn's MLPClassifier", values.ranged(False, 0, low_open=False),
        "model")
    threshold: float = setting(
        0.5, "two classes: predict the positive class when its probability >= threshold",
        values.ranged(False, 0, low_open=True, high=1), "model")
    class_weight: str = setting(
        "none", "balanced: weight each class by n_rows / (n_classes * its rows)",
        values.choice(("none", "balanced")), "model")
    # training
    optimizer: str | None = setting(None, "optimizer", values.choice(OPTIMIZERS), "training")
    lr: float | None = setting(None, "learning rate (peak rate for onecycle)", values.positive,
                               "training")
    momentum: float | None = setting(
        None, "sgd: momentum", values.ranged(False, 0, low_open=False, high=1), "training")
    nesterov: bool = setting(False, "sgd: Nesterov momentum", values.flag, "training")
    schedule: str | None = setting(
        None, "learning-rate schedule over the whole run (step: x0.1 at 50%% and 75%%)",
        values.choice(SCHEDULES), "training")
    batch_size: int | None = setting(None, "mini-batch size (lbfgs: always the full batch)",
                                     values.ranged(True, 1, low_open=False,
                                                   high=values.MAX_WIDTH, high_open=False),
                                     "training")
    epochs: int | None = setting(None, "passes over the training data (lbfgs: iterations)",
                                 values.positive_int, "training")
    iterations: int | None = setting(
        None, "optimizer steps in all, instead of --epochs", values.positive_int, "training")
    eval_every: int | None = setting(
        None, "print the test accuracy every N iterations, as the MNIST tutorial does",
        values.positive_int, "training", "N")
    early_stopping: bool | None = setting(
        None, "stop when the validation loss stops improving; keep the best weights", values.flag,
        "training")
    patience: int | None = setting(None, "early stopping: epochs without improvement before "
                                   "stopping", values.positive_int, "training")
    tol: float = setting(
        1e-4, "smallest validation-loss improvement that counts; lbfgs: gradient tolerance",
        values.ranged(False, 0, low_open=False), "training")
    device: str = setting("auto", "where to train (auto: cuda, then mps, then cpu)",
                          values.choice(DEVICES), "training")
    seed: int = setting(0, "seed for the splits, the initial weights and the batch order",
                        values.ranged(True, 0, low_open=False), "training")
    deterministic: bool = setting(
        False, "use only deterministic algorithms (bit-identical reruns, maybe slower)",
        values.flag,
        "training")
    checkpoint_every: int | None = setting(
        None, "also checkpoint every N steps (checkpoints are always written at epoch ends)",
        values.positive_int, "training", "N")
    # output
    out: str | None = setting(None, "run directory",
                              values.text, "output", "DIR")
    plots: bool = setting(
        True, "draw the figures into <run>/plots/ and the report (--no-plots saves ~2 s of a "
        "2-core machine a run, for quick experiments and sweeps)", values.flag, "output")
    tensorboard: bool = setting(
        False, "also write the per-epoch curves as TensorBoard scalars in <run>/tensorboard/ "
        "(needs: pip install 'lrnn[tensorboard]')", values.flag, "output")

    @property
    def source_name(self) -> str:
        """The training data's short name: the file's stem, or the built-in dataset's name."""
        if self.data == IN_MEMORY:
            return "dataframe"
        return Path(self.data).stem if self.data else self.dataset or DEFAULT_DATASET

    def to_dict(self) -> dict[str, Any]:
        """The settings that are set, in TOML-ready types."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None and value != ():
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def applying(self) -> dict[str, Any]:
        """to_dict() without the settings that do nothing in this run (the MLP's shape for
        logistic regression, sgd's for other optimizers, early stopping's when it is off):
        a run's config.toml and report list what it was trained with."""
        idle = set()
        if self.model != "mlp":
            idle |= {"hidden_layer_sizes", "activation", "dropout"}
        if self.optimizer != "sgd":
            idle |= {"momentum", "nesterov"}
        if not self.early_stopping:
            idle.add("patience")
        if self.data is None:
            idle.add("encoding")
        return {k: v for k, v in self.to_dict().items() if k not in idle}


SETTINGS = {f.name: f for f in fields(RunConfig)}
