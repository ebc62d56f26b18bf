"""The small real datasets that ship inside scikit-learn: no download needed. They are tables
of numbers, and take the same path as the user's own files.

The four are fixed CSV files in scikit-learn's `datasets/data/` folder, read here with numpy as
scikit-learn's own loaders read them, without importing scikit-learn: `import sklearn.datasets`
costs ~1.5 s on a quiet 2-core machine (6-7 s on a busy one, against 0.6 s for numpy and the
file), more than training on them. Should a scikit-learn release move or change the files,
its loaders are used instead. tests/data/test_builtin.py checks that both give the same arrays.
"""

from __future__ import annotations

import csv
import gzip
import io
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from ..config.names import BUILTIN_CLASS_COUNTS as CLASS_COUNTS
from .dataset import Dataset
from .tables.dataset import builtin_table

LOADERS = {
    "digits": "load_digits",
    "breast_cancer": "load_breast_cancer",
    "iris": "load_iris",
    "wine": "load_wine",
}
FILES = {"digits": "digits.csv.gz", "breast_cancer": "breast_cancer.csv", "iris": "iris.csv",
         "wine": "wine_data.csv"}
# Column names as scikit-learn's loaders give them (its files hold only the numbers).
_CANCER = ["radius", "texture", "perimeter", "area", "smoothness", "compactness", "concavity",
           "concave points", "symmetry", "fractal dimension"]
FEATURE_NAMES = {
    "digits": [f"pixel_{row}_{col}" for row in range(8) for col in range(8)],
    "breast_cancer": [f"mean {n}" for n in _CANCER] + [f"{n} error" for n in _CANCER]
    + [f"worst {n}" for n in _CANCER],
    "iris": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"],
    "wine": ["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols",
             "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue",
             "od280/od315_of_diluted_wines", "proline"],
}


def data_folder() -> Path | None:
    """scikit-learn's datasets/data folder, found without importing scikit-learn."""
    spec = find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"


def read_files(name: str):
    """(X float64, y int64, class names, feature names) from the file, or None when the file
    is not where and what this lrnn expects."""
    folder = data_folder()
    path = folder / FILES[name] if folder is not None else None
    if path is None or not path.is_file():
        return None
    names = FEATURE_NAMES[name]
    try:
        if name == "digits":  # no header: 64 pixels then the digit, one image a line
            with gzip.open(path, "rt", encoding="utf-8") as f:
                data = np.loadtxt(f, delimiter=",")
            X, y, classes = data[:, :-1], data[:, -1].astype(np.int64), [str(d) for d in range(10)]
        else:  # header: rows, columns, class names
            text = path.read_text(encoding="utf-8")
            header = next(csv.reader(io.StringIO(text)))
            data = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
            if data.shape != (int(header[0]), int(header[1]) + 1):
                return None
            X, y, classes = data[:, :-1], data[:, -1].astype(np.int64), header[2:]
    except (OSError, ValueError, IndexError):
        return None
    if X.shape[1] != len(names) or len(classes) != CLASS_COUNTS[name]:
        return None
    return X, y, classes, names


def read_with_sklearn(name: str):
    import sklearn.datasets  # heavy: only when the files are not as expected

    bunch = getattr(sklearn.datasets, LOADERS[name])()
    return (bunch.data, bunch.target, [str(c) for c in bunch.target_names],
            [str(f) for f in bunch.feature_names])


def load_builtin(name: str) -> Dataset:
    X, y, classes, names = read_files(name) or read_with_sklearn(name)
    table, plan = builtin_table(np.asarray(X, dtype=np.float32), names)
    return Dataset(name=name, X=table, y=np.asarray(y, dtype=np.int64), classes=tuple(classes),
                   feature_names=tuple(names),
                   source=f"scikit-learn (sklearn.datasets.{LOADERS[name]})", schema=plan)
