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

from .settings import RunConfig

SMALL_ROWS = 20_000
MIN_STEPS = 2_000
MAX_EPOCHS = 1_000
# A logistic regression's recipe doubles its batch until an epoch is at most this many steps:
# on 720,000 rows x 20 features, batches of 8,192 (88 steps an epoch) reached the test
# accuracy and log-loss of 512 (87.66 % / 0.2713 vs 87.65 % / 0.2713) in a sixth of the
# training time; 16,384 fell short (log-loss 0.2734). MNIST keeps 512 (106 steps).
LOGREG_STEPS_PER_EPOCH = 128

RECIPES: dict[str, dict[str, Any]] = {
    # Measured on MNIST (2 cores): 92.8-93.0 % test accuracy over seeds in ~0.35 s of training.
    "logreg": dict(optimizer="adam", lr=0.04, schedule="cosine", batch_size=512, epochs=4),
    "logreg-small": dict(optimizer="lbfgs", lr=1.0, schedule="none", epochs=200),
    # Measured on MNIST (2 cores): 98.1-98.2 % test accuracy over seeds 0-2 (no dropout above
    # SMALL_ROWS: LARGE_DROPOUT).
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
# Above SMALL_ROWS an MLP trains without dropout: drawing its random mask was ~20 % of a step
# (MNIST, one thread: 0.7 of 3.5 ms) and does not run in parallel; the "mlp" recipe reaches
# 98.1-98.2 % on MNIST without it (98.2-98.3 % with), seeds 0-2.
LARGE_DROPOUT = {"logreg": None, "mlp": 0.0}


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
    if config.model == "logreg" or config.dropout is None:
        dropout = DEFAULT_DROPOUT if n_train <= SMALL_ROWS else LARGE_DROPOUT
        changes["dropout"] = dropout[config.model]
    alpha = config.alpha
    if alpha is None:
        alpha = 1.0 / config.C if config.C is not None else DEFAULT_ALPHA[config.model]
    changes["alpha"] = alpha
    return replace(config, **changes)


def describe_default(name: str, default: Any) -> str:
    """The default of a setting as `--help` shows it, recipes spelled out."""
    if name in ("optimizer", "lr", "schedule", "batch_size", "epochs"):
        r = {k: v.get(name, "full batch") for k, v in RECIPES.items()}
        if name == "batch_size":
            r["logreg"] = (f"{r['logreg']} (doubled until an epoch is <= "
                           f"{LOGREG_STEPS_PER_EPOCH} steps)")
        rows = f"{SMALL_ROWS:,}"
        return (f"logreg {r['logreg-small']} up to {rows} rows, else {r['logreg']}; mlp "
                f"{r['mlp-small']} up to {rows} rows, else {r['mlp']}; with --optimizer, its "
                f"plain setting")
    if name == "dataset":
        return "digits when no --data"
    if name == "momentum":
        return "0 (sgd)"
    if name in ("alpha", "C"):
        return f"logreg alpha {DEFAULT_ALPHA['logreg']:g} (C=1), mlp alpha {DEFAULT_ALPHA['mlp']:g}"
    if name == "dropout":
        return (f"mlp {DEFAULT_DROPOUT['mlp']:g} up to {SMALL_ROWS:,} rows, else "
                f"{LARGE_DROPOUT['mlp']:g}")
    if isinstance(default, tuple):
        return ",".join(map(str, default))
    return "none" if default is None else str(default).lower() if isinstance(default, bool) \
        else str(default)
