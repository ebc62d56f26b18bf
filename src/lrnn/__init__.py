"""lrnn: logistic regression and neural network classifiers with PyTorch, end to end.

Public API (imported lazily so `import lrnn` stays cheap):
    lrnn.train(data=..., target=..., model=..., ...) -> Run   the whole lifecycle, as
                                       `lrnn train` (help(lrnn.train): every setting)
    lrnn.load(run_dir)                 a saved run: a Predictor for a run of `lrnn train`, the
                                       fitted estimator for a run saved by an estimator
    lrnn.LogisticRegression, lrnn.MLPClassifier   scikit-learn estimators over the same core
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._version import __version__
from .training import openmp as _openmp

if TYPE_CHECKING:  # for the signature of train(); neither is imported at run time
    from pandas import DataFrame

    from .engine import Run

# How OpenMP's threads wait: set before anything imports torch (training/openmp.py says why).
OPENMP_WAIT = _openmp.choose_wait_policy()
_openmp.shorten_blas_spin()  # and numpy's OpenBLAS threads, before numpy is imported


def train(
    *, dataset: str | None = None, data: str | os.PathLike | DataFrame | None = None,
    target: str | None = None, test_data: str | os.PathLike | None = None,
    id_column: str | None = None, delimiter: str | None = None, decimal: str | None = None,
    encoding: str = "utf-8", categorical: tuple[str, ...] = (), numeric: tuple[str, ...] = (),
    drop: tuple[str, ...] = (), data_dir: str | os.PathLike | None = None,
    val_fraction: float = 0.1, test_fraction: float = 0.2, model: str = "logreg",
    hidden_layer_sizes: tuple[int, ...] = (256,), activation: str = "relu",
    dropout: float | None = None, C: float | None = None, alpha: float | None = None,
    threshold: float = 0.5, class_weight: str = "none", optimizer: str | None = None,
    lr: float | None = None, momentum: float | None = None, nesterov: bool = False,
    schedule: str | None = None, batch_size: int | None = None, epochs: int | None = None,
    iterations: int | None = None, eval_every: int | None = None,
    early_stopping: bool | None = None, patience: int | None = None, tol: float = 0.0001,
    device: str = "auto", seed: int = 0,
    deterministic: bool = False, checkpoint_every: int | None = None,
    out: str | os.PathLike | None = None, plots: bool = True, tensorboard: bool = False,
    quiet: bool = False,
) -> Run:
    """Train and save a run, as `lrnn train` does, and return it (`.run_dir`, `.metrics`,
    `.config`, `.history`).

    The keywords are the settings of `lrnn train --help` (flags without `--`, `_` for `-`),
    with the same defaults; None means "chosen by the recipe for the size of the data".
    `data` is a .csv/.tsv/.parquet path or a pandas DataFrame, with `target` its column to
    predict; without it, `dataset` is a built-in dataset (digits by default). `quiet=True`
    prints nothing but warnings. Bad settings raise lrnn.errors.InputError before anything
    is written.
    """
    settings = {name: value for name, value in locals().items() if name != "quiet"}
    from .config import IN_MEMORY, build_config
    from .console import Console
    from .data.tables.frames import is_frame
    from .engine import run

    frame = settings["data"] if is_frame(settings["data"]) else None
    if frame is not None:
        settings["data"] = IN_MEMORY
    return run(build_config(settings), Console(quiet=quiet), frame)


def load(run_dir):
    """Load a run directory: a `Predictor` (predict, predict_proba on raw rows or images) for a
    run of `lrnn train`, the fitted `LogisticRegression` or `MLPClassifier` for a run saved by
    `estimator.save(path)`; `"latest"`: the newest run under runs/. Never unpickles."""
    from .artifacts.run_index import resolve_run
    from .artifacts.weights import load_run

    run_dir = resolve_run(run_dir)
    loaded = load_run(run_dir)
    if "estimator" in loaded.info:
        from .estimator import ESTIMATORS
        from .estimator.saving import estimator_from

        return estimator_from(loaded, run_dir, ESTIMATORS)
    from .predict import Predictor

    return Predictor.load(run_dir)


_ESTIMATORS = ("LogisticRegression", "MLPClassifier")


def __getattr__(name):
    """The estimators, imported on first use (they import scikit-learn)."""
    if name in _ESTIMATORS:
        from . import estimator

        return getattr(estimator, name)
    raise AttributeError(f"module 'lrnn' has no attribute {name!r}")


__all__ = ["train", "load", "LogisticRegression", "MLPClassifier", "__version__"]
