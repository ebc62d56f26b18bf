"""Data sources. `load(config)` gives a Dataset whatever the source."""

from __future__ import annotations

from ..config import BUILTIN_DATASETS, DEFAULT_DATASET, RunConfig
from .dataset import Dataset


def load(config: RunConfig, frame=None) -> Dataset:
    """`frame`: the pandas DataFrame that config.data stands for (IN_MEMORY), in Python."""
    if config.data is not None:
        from .tables import early_read
        from .tables.dataset import load_table_dataset

        return early_read.take(config) or load_table_dataset(config, frame)
    name = config.dataset or DEFAULT_DATASET
    if name in BUILTIN_DATASETS:
        from .builtin import load_builtin

        return load_builtin(name)
    from .idx.early_read import take
    from .idx.locate import load_idx_dataset

    return take(name, config.data_dir) or load_idx_dataset(name, config.data_dir)


__all__ = ["Dataset", "load"]
