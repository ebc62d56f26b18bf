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
Anything set explicitly wins.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from .names import DEFAULT_DATASET
from .settings import RunConfig

SMALL_ROWS = 20_000
MIN_STEPS = 2_000
MAX_EPOCHS = 1_000

RECIPES: dict[str, dict[str, Any]] = {
    # Measured on MNIST (2 cores): 92.8-93.0 % test accuracy over seeds in ~0.35 s of training.
    "logreg": dict(optimizer="adam", lr=0.04, schedule="cosine", batch_size=512, epochs=4),
    "logreg-small": dict(optimizer="lbfgs", lr=1.0, schedule="none", epochs=200),
    # Measured on MNIST (2 cores): 98.1-98.3 % test accuracy over seeds in ~4.5 s of training.
    "mlp": dict(optimizer="adam", lr=0.01, schedule="onecycle", batch_size=256, epochs=6),
    # On digits, breast_cancer, iris and wine: within about a point of scikit-learn's
    # MLPClassifier on the same splits (the lower rate avoids overfitting a few hundred rows).
    "mlp-small": dict(optimizer="adam", lr=0.001, schedule="onecycle", batch_size=200, epochs=10),
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
    if given.get("epochs") is None and given.get("iterations") is None and n_train <= SMALL_ROWS:
        steps_per_epoch = math.ceil(n_train / filled["batch_size"])
        needed = math.ceil(MIN_STEPS / steps_per_epoch)
        filled["epochs"] = min(max(filled["epochs"], needed), MAX_EPOCHS)
    return filled


def resolve(config: RunConfig, n_train: int) -> RunConfig:
    """Fill every unset training setting for a training split of `n_train` rows."""
    changes = fill_training(config.model, n_train,
                            {name: getattr(config, name) for name in TRAINING_KEYS})
    if config.model == "logreg" or config.dropout is None:
        changes["dropout"] = DEFAULT_DROPOUT[config.model]
    alpha = config.alpha
    if alpha is None:
        alpha = 1.0 / config.C if config.C is not None else DEFAULT_ALPHA[config.model]
    changes["alpha"] = alpha
    if config.data is None:  # the dataset trained on, named in config.toml
        changes["dataset"] = config.dataset or DEFAULT_DATASET
    return replace(config, **changes)


# Defaults that depend on the data or the run, as `--help` words them.
SPELLED_OUT = {"delimiter": ", (tab for .tsv)", "decimal": ".",
               "out": "runs/<dataset>-<model>-<time>"}


def describe_default(name: str, default: Any) -> str:
    """The default of a setting as `--help` shows it, recipes spelled out."""
    if name in ("optimizer", "lr", "schedule", "batch_size", "epochs"):
        r = {k: v.get(name, "full batch") for k, v in RECIPES.items()}
        rows = f"{SMALL_ROWS:,}"
        return (f"logreg {r['logreg-small']} up to {rows} rows, else {r['logreg']}; mlp "
                f"{r['mlp-small']} up to {rows} rows, else {r['mlp']}; with --optimizer, its "
                f"plain setting")
    if name == "dataset":
        return "digits when no --data"
    if name in SPELLED_OUT:
        return SPELLED_OUT[name]
    if name == "momentum":
        return "0 (sgd)"
    if name in ("alpha", "C"):
        return f"logreg alpha {DEFAULT_ALPHA['logreg']:g} (C=1), mlp alpha {DEFAULT_ALPHA['mlp']:g}"
    if name == "dropout":
        return f"mlp {DEFAULT_DROPOUT['mlp']:g}"
    if isinstance(default, tuple):
        return ",".join(map(str, default))
    return "none" if default is None else str(default).lower() if isinstance(default, bool) \
        else str(default)
