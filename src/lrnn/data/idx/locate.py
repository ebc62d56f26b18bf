"""MNIST and Fashion-MNIST: find their four files, or download them, and read them.

Where the files are, in order: --data-dir (a folder holding the four files), then
$LRNN_DATA_DIR/<dataset>/, then the cache ($LRNN_CACHE_DIR or ~/.cache/lrnn)/<dataset>/, then
a download into the cache. Each file may be the published `.gz` or its decompressed form.
"""

from __future__ import annotations

import os
from pathlib import Path

from typing import TYPE_CHECKING

from ...errors import InputError
from .download import cache_root, download_file
from .registry import IDX_REGISTRY, IdxDataset, IdxFile

if TYPE_CHECKING:  # numpy, imported by reading: `lrnn datasets` only looks for the files
    from ..dataset import Dataset


def _find(folder: Path, file: IdxFile) -> Path | None:
    for name in (file.name, file.raw_name):
        if (folder / name).is_file():
            return folder / name
    return None


def _all_in(folder: Path, spec: IdxDataset) -> list[Path] | None:
    found = [_find(folder, f) for f in spec.files]
    return None if None in found else found


def _candidates(spec: IdxDataset) -> list[tuple[Path, str]]:
    places = []
    root = os.environ.get("LRNN_DATA_DIR")
    if root:
        places.append((Path(root) / spec.name, "$LRNN_DATA_DIR"))
    places.append((cache_root() / spec.name, "cache"))
    return places


def where_is(name: str) -> tuple[Path | None, str]:
    """Where the dataset's files are now, without downloading: (folder or None, source)."""
    spec = IDX_REGISTRY[name]
    for folder, source in _candidates(spec):
        if _all_in(folder, spec):
            return folder, source
    return None, "not present: downloaded on first use from " + spec.mirrors[0]


def locate(name: str, data_dir: str | None) -> tuple[list[Path], str]:
    """The four files (train images, train labels, test images, test labels) and their source."""
    spec = IDX_REGISTRY[name]
    if data_dir is not None:
        folder = Path(data_dir)
        if not folder.is_dir():
            raise InputError(f"--data-dir {folder}: expected a folder, found "
                             f"{'a file' if folder.exists() else 'nothing'}")
        found = [_find(folder, f) for f in spec.files]
        missing = [f.name for f, path in zip(spec.files, found) if path is None]
        if missing:
            raise InputError(f"--data-dir {folder}: missing {', '.join(missing)} "
                             f"(or the same names without .gz)")
        return found, str(folder)
    for folder, source in _candidates(spec):
        found = _all_in(folder, spec)
        if found:
            return found, f"{folder} ({source})"
    folder = cache_root() / spec.name
    paths = [_find(folder, f) or download_file(spec, f, folder) for f in spec.files]
    return paths, f"{folder} (downloaded)"


def load_idx_dataset(name: str, data_dir: str | None) -> Dataset:
    from ..dataset import Dataset
    from .format import read_pair

    spec = IDX_REGISTRY[name]
    (train_x, train_y, test_x, test_y), source = locate(name, data_dir)
    n_classes = len(spec.classes)
    X, y = read_pair(train_x, train_y, n_classes)
    X_test, y_test = read_pair(test_x, test_y, n_classes)
    if X.shape[1:] != X_test.shape[1:]:
        raise InputError(f"{test_x}: expected images of {X.shape[1]}x{X.shape[2]} like the "
                         f"training images, found {X_test.shape[1]}x{X_test.shape[2]}")
    rows, cols = X.shape[1:]
    return Dataset(name=name, X=X, y=y, classes=spec.classes,
                   feature_names=tuple(f"pixel_{r}_{c}" for r in range(rows) for c in range(cols)),
                   source=source, image_shape=(rows, cols), X_test=X_test, y_test=y_test)
