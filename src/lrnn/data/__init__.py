"""Data sources. `load(config)` gives a Dataset whatever the source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import BUILTIN_DATASETS, DEFAULT_DATASET

if TYPE_CHECKING:
    from ..config import RunConfig
    from .dataset import Dataset


def __getattr__(name: str):
    """`Dataset` on first use: it imports numpy, which `lrnn datasets` does without."""
    if name == "Dataset":
        from .dataset import Dataset

        return Dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(config: RunConfig, frame=None) -> Dataset:
    """`frame`: the pandas DataFrame that config.data stands for (IN_MEMORY), in Python."""
    if config.data is not None:
        from .tables import early_check
        from .tables.dataset import load_table_dataset

        return early_check.take_dataset(config) or load_table_dataset(config, frame)
    name = config.dataset or DEFAULT_DATASET
    if name in BUILTIN_DATASETS:
        from .builtin import load_builtin

        return load_builtin(name)
    from .idx.early_read import take
    from .idx.locate import load_idx_dataset

    return take(name, config.data_dir) or load_idx_dataset(name, config.data_dir)


__all__ = ["Dataset", "load"]
