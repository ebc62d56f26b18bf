"""Settings that are fine alone but not together, refused before anything runs."""

from __future__ import annotations

from ..errors import InputError
from typing import TYPE_CHECKING

from .names import FILE_SETTINGS, IDX_DATASETS

if TYPE_CHECKING:
    from .settings import RunConfig


def check_combinations(config: RunConfig) -> None:
    """Refuse the first pair of settings that contradict each other."""
    if config.data is not None and config.dataset is not None:
        raise InputError("--data and --dataset: set one of them, found both")
    if config.data is not None and config.target is None:
        raise InputError(f"--data {config.data}: needs --target, the column to predict")
    if config.id_column is not None and config.id_column == config.target:
        raise InputError(f"--id-column {config.id_column}: is also the --target; the id "
                         f"column is copied to predictions, the target is predicted: choose "
                         f"another column")
    if config.dropout is not None and config.model != "mlp":
        raise InputError(f"--dropout {config.dropout:g}: applies to --model mlp only (found "
                         f"--model {config.model})")
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
