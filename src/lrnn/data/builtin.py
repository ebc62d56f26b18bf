"""The small real datasets that ship inside scikit-learn: no download needed. They are tables
of numbers, and take the same path as the user's own files."""

from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .tables.dataset import builtin_table

LOADERS = {
    "digits": "load_digits",
    "breast_cancer": "load_breast_cancer",
    "iris": "load_iris",
    "wine": "load_wine",
}
# The datasets are fixed files inside scikit-learn: their class counts are known without
# importing sklearn.datasets (~1.5 s) for `lrnn datasets` (a test checks them against it).
CLASS_COUNTS = {"digits": 10, "breast_cancer": 2, "iris": 3, "wine": 3}


def load_builtin(name: str) -> Dataset:
    import sklearn.datasets  # heavy (~1.5 s): only for these datasets

    bunch = getattr(sklearn.datasets, LOADERS[name])()
    names = [str(f) for f in bunch.feature_names]
    table, plan = builtin_table(np.asarray(bunch.data, dtype=np.float32), names)
    return Dataset(name=name, X=table, y=np.asarray(bunch.target, dtype=np.int64),
                   classes=tuple(str(c) for c in bunch.target_names), feature_names=tuple(names),
                   source=f"scikit-learn (sklearn.datasets.{LOADERS[name]})", schema=plan)
