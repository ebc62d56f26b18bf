"""lrnn: logistic regression and neural network classifiers with PyTorch, end to end.

Public API (imported lazily so `import lrnn` stays cheap):
    lrnn.train(**settings) -> Run      the whole lifecycle, as `lrnn train`
    lrnn.load(run_dir)                 a saved run: a Predictor for a run of `lrnn train`, the
                                       fitted estimator for a run saved by an estimator
    lrnn.LogisticRegression, lrnn.MLPClassifier   scikit-learn estimators over the same core
"""

from __future__ import annotations

__version__ = "0.1.0"


def train(**settings):
    """Train with the same settings as `lrnn train` (names of the flags, `_` for `-`)."""
    from .config import build_config
    from .engine import run

    return run(build_config(settings))


def load(run_dir):
    """Load a run directory: a `Predictor` (predict, predict_proba on raw rows or images) for a
    run of `lrnn train`, the fitted `LogisticRegression` or `MLPClassifier` for a run saved by
    `estimator.save(path)`. Never unpickles."""
    from .artifacts import load_run

    loaded = load_run(run_dir)
    if "estimator" in loaded.info:
        from .estimator.saving import estimator_from

        return estimator_from(loaded, run_dir)
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
