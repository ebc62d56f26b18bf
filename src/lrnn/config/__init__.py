"""Settings: RunConfig and its parsers, the TOML file, the combination checks, the recipes that
fill unset settings, and the training loop's own TrainingSettings. Settings live here only.

The names (names.py) are loaded with the package; everything else when first asked for
(PEP 562): `lrnn predict` and `lrnn datasets` need the names only, and RunConfig with its
parsers and the TOML reader was ~9 ms of a ~0.2 s `lrnn predict`."""

from __future__ import annotations

from dataclasses import replace
from importlib import import_module

from .names import (ACTIVATIONS, BUILTIN_DATASETS, DATASETS, DEFAULT_DATASET, DEVICES,
                    IDX_DATASETS, IN_MEMORY, MODELS, OPTIMIZERS, SCHEDULES)

_LAZY = {"check_combinations": "checks", "build_config": "reading", "parse_setting": "reading",
         "read_toml": "reading", "unknown_key_message": "reading", "SETTINGS": "settings",
         "RunConfig": "settings", "TrainingSettings": "training",
         "training_settings": "training"}

__all__ = ["ACTIVATIONS", "BUILTIN_DATASETS", "DATASETS", "DEFAULT_DATASET", "DEVICES",
           "IDX_DATASETS", "IN_MEMORY", "MODELS", "OPTIMIZERS", "SCHEDULES", "replace", *_LAZY]


def __getattr__(name: str):
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = globals()[name] = getattr(import_module(f"{__name__}.{where}"), name)
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
