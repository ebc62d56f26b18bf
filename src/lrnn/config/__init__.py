"""Settings: RunConfig and its parsers, the TOML file, the combination checks, the recipes that
fill unset settings, and the training loop's own TrainingSettings. Settings live here only."""

from dataclasses import replace

from .checks import check_combinations
from .names import (ACTIVATIONS, BUILTIN_DATASETS, DATASETS, DEFAULT_DATASET, DEVICES,
                    IDX_DATASETS, IN_MEMORY, MODELS, OPTIMIZERS, SCHEDULES)
from .reading import build_config, parse_setting, read_toml, unknown_key_message
from .settings import SETTINGS, RunConfig
from .training import TrainingSettings, training_settings

__all__ = ["ACTIVATIONS", "BUILTIN_DATASETS", "DATASETS", "DEFAULT_DATASET", "DEVICES",
           "IDX_DATASETS", "IN_MEMORY", "MODELS", "OPTIMIZERS", "SCHEDULES", "SETTINGS", "RunConfig",
           "TrainingSettings", "build_config", "check_combinations", "parse_setting",
           "read_toml", "replace", "training_settings", "unknown_key_message"]
