"""lrnn: logistic regression and neural network classifiers with PyTorch, end to end.

Public API (imported lazily so `import lrnn` stays cheap):
    lrnn.train(**settings) -> Run      the whole lifecycle, as `lrnn train`
    lrnn.load(run_dir)                 a saved run: a Predictor for a run of `lrnn train`, the
                                       fitted estimator for a run saved by an estimator
    lrnn.LogisticRegression, lrnn.MLPClassifier   scikit-learn estimators over the same core
"""

from __future__ import annotations

import os

from ._version import __version__

# OpenMP's worker threads spin while they wait for each other. On a 2-core machine where any
# other process runs, a spinning thread holds the core its partner needs: training the MNIST
# MLP took 74 s instead of 5.8 s next to one busy process, with identical results. Passive
# waiting avoids that. It must be set before torch is imported; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def train(**settings):
    """Train with the same settings as `lrnn train` (names of the flags, `_` for `-`)."""
    from .config import build_config
    from .engine import run

    return run(build_config(settings))


def load(run_dir):
    """Load a run directory: a `Predictor` (predict, predict_proba on raw rows or images) for a
    run of `lrnn train`, the fitted `LogisticRegression` or `MLPClassifier` for a run saved by
    `estimator.save(path)`. Never unpickles."""
    from .artifacts.weights import load_run

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
