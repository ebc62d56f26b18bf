"""The settings best/ is trained with: the best trial's, on the training and validation rows
together (as scikit-learn's searches refit on every row they cross-validated on), or, with
--no-refit, the best trial itself again.

Why refit: the trials chose on the validation split, and that choice is done; the final
model may then learn from those rows too. On MNIST that is 60,000 rows instead of 54,000
(benchmarks/RESULTS.md, "Hyperparameter search"); on a small table such as digits' 1,437
non-test rows, 10 % more rows of a few hundred per class.

A refit trains exactly as the best trial did, only on more rows: with no validation split
there is nothing to stop early on, so a trial that stopped early is refit for the epochs
its kept weights had (its best epoch), and every training setting that the recipes of
config/recipes.py would set differently for the larger row count (a small table's epochs,
say) is pinned to the trial's value, so that the command printed reproduces best/ exactly.
"""

from __future__ import annotations

from typing import Any

from ._lrnn import build_config, resolve

# Settings the recipes fill from the row count; pinned to the trial's when they would differ.
PINNED = ("optimizer", "lr", "momentum", "schedule", "batch_size", "epochs", "iterations",
          "dropout", "alpha")


def refit_settings(base_values: dict, settings: dict, trial_attrs: dict, n_trial: int,
                   n_refit: int) -> dict[str, Any]:
    """What to add to the best trial's settings to train it on `n_refit` rows (its training
    and validation splits) as it trained on `n_trial`."""
    trial = resolve(build_config({**base_values, **settings}), n_trial)
    extra: dict[str, Any] = {"val_fraction": 0.0}
    if trial.early_stopping:
        extra["early_stopping"] = False
        epochs = trial_attrs.get("best_epoch") or trial_attrs.get("epochs")
        if trial.optimizer != "lbfgs" and epochs:
            extra.update(epochs=int(epochs), iterations=None)
    refit = resolve(build_config({**base_values, **settings, **extra}), n_refit)
    for name in PINNED:
        if name not in extra and getattr(refit, name) != getattr(trial, name):
            extra[name] = getattr(trial, name)
    return extra
