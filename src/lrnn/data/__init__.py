"""Data sources. `load(config)` gives a Dataset whatever the source."""

from __future__ import annotations

from ..config import BUILTIN_DATASETS, RunConfig
from .dataset import Dataset


def load(config: RunConfig) -> Dataset:
    if config.dataset in BUILTIN_DATASETS:
        from .builtin import load_builtin

        return load_builtin(config.dataset)
    from .idx_datasets import load_idx_dataset

    return load_idx_dataset(config.dataset, config.data_dir)


__all__ = ["Dataset", "load"]
