"""The defaults most users run: which optimizer, rate, schedule, batch and length.

Rule (also in the README):
- No --optimizer: the model's recipe for the size of the training split. Logistic regression
  on a small split (<= SMALL_ROWS rows) is solved exactly with full-batch L-BFGS, as
  scikit-learn does; otherwise it is mini-batch Adam with a schedule (tuned on MNIST for large
  splits, on scikit-learn's small datasets for small ones).
- --optimizer given: that optimizer's plain settings (PLAIN), so that a published recipe such
  as the MNIST tutorial's `--optimizer sgd --lr 0.001` means exactly what it says.
- A small training split (<= SMALL_ROWS rows) trained by mini-batches gets enough epochs for at
  least MIN_STEPS optimizer steps (at most MAX_EPOCHS), since a few epochs of a few batches
  would leave the model barely trained.
- The MLP on a small split, trained by its recipe (no --optimizer, --epochs or --iterations)
  with a validation split, stops once the validation loss has not improved for SMALL_PATIENCE
  epochs and keeps the best epoch's weights; its L2 penalty and dropout are SMALL_MLP's.
Anything set explicitly wins.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from .names import DEFAULT_DATASET, DEFAULT_DELIMITER_TEXT
from .settings import RunConfig

SMALL_ROWS = 20_000
MIN_STEPS = 2_000
MAX_EPOCHS = 1_000
# A logistic regression's recipe doubles its batch until an epoch is at most this many steps:
# on 720,000 rows x 20 features, batches of 8,192 (88 steps an epoch) reached the test
# accuracy and log-loss of 512 (87.66 % / 0.2713 vs 87.65 % / 0.2713) in a sixth of the
# training time; 16,384 fell short (log-loss 0.2734). MNIST keeps 512 (106 steps).
LOGREG_STEPS_PER_EPOCH = 128
DEFAULT_PATIENCE = 5  # --early-stopping's
SMALL_PATIENCE = 20  # the small-data MLP recipe's (benchmarks/small_tables.py)

RECIPES: dict[str, dict[str, Any]] = {
    # Measured on MNIST (2 cores): 92.8-93.0 % test accuracy over seeds in ~0.35 s of training.
    "logreg": dict(optimizer="adam", lr=0.04, schedule="cosine", batch_size=512, epochs=4),
    "logreg-small": dict(optimizer="lbfgs", lr=1.0, schedule="none", epochs=200),
    # Measured on MNIST (2 cores): 98.1-98.2 % test accuracy over seeds 0-2 (no dropout above
    # SMALL_ROWS: LARGE_DROPOUT).
    "mlp": dict(optimizer="adam", lr=0.01, schedule="onecycle", batch_size=256, epochs=6),
    # With SMALL_MLP's penalty and early stopping (SMALL_PATIENCE): on every small table of the
    # tests (the two CSV fixtures, iris, wine, breast_cancer, digits), within a point of
    # logistic regression and no worse than scikit-learn's MLPClassifier on the default split
    # (python benchmarks/small_tables.py). The previous recipe (rate 0.001, dropout 0.1, alpha
    # 1e-4, no stopping) trained 2,000 steps whatever happened to the validation loss, and
    # fell 2 points below logistic regression on chile.csv.
    "mlp-small": dict(optimizer="adam", lr=0.003, schedule="onecycle", batch_size=200, epochs=10),
}
PLAIN: dict[str, dict[str, Any]] = {
    "sgd": dict(lr=0.01, momentum=0.0, schedule="none", batch_size=128, epochs=10),
    "adam": dict(lr=0.001, schedule="none", batch_size=128, epochs=10),
    "adamw": dict(lr=0.001, schedule="none", batch_size=128, epochs=10),
    "lbfgs": dict(lr=1.0, schedule="none", epochs=100),
}
# Model settings, whichever optimizer trains the model.
DEFAULT_ALPHA = {"logreg": 1.0, "mlp": 1e-4}
DEFAULT_DROPOUT = {"logreg": None, "mlp": 0.1}
# Above SMALL_ROWS an MLP trains without dropout: drawing its random mask was ~20 % of a step
# (MNIST, one thread: 0.7 of 3.5 ms) and does not run in parallel; the "mlp" recipe reaches
# 98.1-98.2 % on MNIST without it (98.2-98.3 % with), seeds 0-2.
LARGE_DROPOUT = {"logreg": None, "mlp": 0.0}
# ...but an MLP on a small training split (<= SMALL_ROWS): a stronger L2 penalty and no dropout,
# so that the validation loss keeps falling while the model still learns (early stopping on a
# noisier, dropout-trained loss stopped ~1 point earlier on digits).
SMALL_MLP = {"alpha": 1.0, "dropout": 0.0}


TRAINING_KEYS = ("optimizer", "lr", "momentum", "schedule", "batch_size", "epochs", "iterations")


def fill_training(model: str, n_train: int, given: dict[str, Any]) -> dict[str, Any]:
    """The values of TRAINING_KEYS for a training split of `n_train` rows: those in `given`
    that are set, the recipe's for the rest (the rule above)."""
    optimizer = given.get("optimizer")
    if optimizer is not None:
        recipe = dict(optimizer=optimizer, **PLAIN[optimizer])
    else:
        recipe = dict(RECIPES[model + ("-small" if n_train <= SMALL_ROWS else "")])
    filled = {**recipe, **{k: v for k, v in given.items() if v is not None}}
    if given.get("iterations") is not None:
        filled.pop("epochs", None)  # the run's length is set in steps
    if filled["optimizer"] == "lbfgs":
        filled["batch_size"] = None
        return filled
    if model == "logreg" and optimizer is None and given.get("batch_size") is None:
        while math.ceil(n_train / filled["batch_size"]) > LOGREG_STEPS_PER_EPOCH:
            filled["batch_size"] *= 2
    if given.get("epochs") is None and given.get("iterations") is None and n_train <= SMALL_ROWS:
        steps_per_epoch = math.ceil(n_train / filled["batch_size"])
        needed = math.ceil(MIN_STEPS / steps_per_epoch)
        filled["epochs"] = min(max(filled["epochs"], needed), MAX_EPOCHS)
    return filled


def resolve(config: RunConfig, n_train: int) -> RunConfig:
    """Fill every unset training setting for a training split of `n_train` rows."""
    changes = fill_training(config.model, n_train,
                            {name: getattr(config, name) for name in TRAINING_KEYS})
    small_mlp = config.model == "mlp" and n_train <= SMALL_ROWS
    if config.model == "logreg" or config.dropout is None:
        dropout = SMALL_MLP["dropout"] if small_mlp else \
            DEFAULT_DROPOUT[config.model] if n_train <= SMALL_ROWS else LARGE_DROPOUT[config.model]
        changes["dropout"] = dropout
    alpha = config.alpha
    if alpha is None:
        alpha = 1.0 / config.C if config.C is not None else \
            SMALL_MLP["alpha"] if small_mlp else DEFAULT_ALPHA[config.model]
    changes["alpha"] = alpha
    if config.data is None:  # the dataset trained on, named in config.toml
        changes["dataset"] = config.dataset or DEFAULT_DATASET
    changes.update(early_stopping_rule(config, n_train))
    return replace(config, **changes)


def early_stopping_rule(config: RunConfig, n_train: int) -> dict[str, Any]:
    """early_stopping and patience: as given; unset, on (SMALL_PATIENCE) for the small-data MLP
    recipe when the run's length is the recipe's and there is a validation split, else off."""
    recipe = (config.model == "mlp" and config.optimizer is None and n_train <= SMALL_ROWS
              and config.epochs is None and config.iterations is None
              and config.val_fraction > 0 and config.early_stopping is None)
    stopping = config.early_stopping if config.early_stopping is not None else recipe
    patience = config.patience if config.patience is not None else \
        SMALL_PATIENCE if recipe else DEFAULT_PATIENCE
    return {"early_stopping": stopping, "patience": patience}


# Defaults that depend on the data or the run, as `--help` words them.
SPELLED_OUT = {"delimiter": DEFAULT_DELIMITER_TEXT, "decimal": ".",
               "out": "runs/<dataset>-<model>-<time>"}


def describe_default(name: str, default: Any) -> str:
    """The default of a setting as `--help` shows it, recipes spelled out."""
    rows = f"{SMALL_ROWS:,}"
    if name == "epochs":
        return (f"logreg up to {rows} rows: at most {RECIPES['logreg-small']['epochs']} lbfgs "
                f"iterations, stopping at --tol; mlp up to {rows} rows: enough epochs for "
                f"{MIN_STEPS:,} steps (at most {MAX_EPOCHS:,}), stopped early on validation; "
                f"else logreg {RECIPES['logreg']['epochs']}, mlp {RECIPES['mlp']['epochs']}; "
                f"with --optimizer, {PLAIN['adam']['epochs']} (lbfgs: "
                f"{PLAIN['lbfgs']['epochs']} iterations)")
    if name in ("optimizer", "lr", "schedule", "batch_size"):
        r = {k: v.get(name, "full batch") for k, v in RECIPES.items()}
        if name == "batch_size":
            r["logreg"] = (f"{r['logreg']} (doubled until an epoch is <= "
                           f"{LOGREG_STEPS_PER_EPOCH} steps)")
        return (f"logreg {r['logreg-small']} up to {rows} rows, else {r['logreg']}; mlp "
                f"{r['mlp-small']} up to {rows} rows, else {r['mlp']}; with --optimizer, its "
                f"plain setting")
    if name == "early_stopping":
        return (f"on for an mlp up to {rows} training rows trained by its recipe (no "
                f"--optimizer, --epochs or --iterations) with a validation split; else off")
    if name == "patience":
        return f"{SMALL_PATIENCE} in that mlp recipe, else {DEFAULT_PATIENCE}"
    if name == "dataset":
        return "digits when no --data"
    if name in SPELLED_OUT:
        return SPELLED_OUT[name]
    if name == "momentum":
        return "0 (sgd)"
    if name in ("alpha", "C"):
        return (f"logreg alpha {DEFAULT_ALPHA['logreg']:g} (C=1); mlp alpha "
                f"{SMALL_MLP['alpha']:g} up to {rows} rows, else {DEFAULT_ALPHA['mlp']:g}")
    if name == "dropout":
        return "mlp none (0) at any size; logreg has no dropout"
    if isinstance(default, tuple):
        return ",".join(map(str, default))
    return "none" if default is None else str(default).lower() if isinstance(default, bool) \
        else str(default)
