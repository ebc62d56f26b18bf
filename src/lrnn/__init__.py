"""lrnn: logistic regression and neural network classifiers with PyTorch, end to end.

Public API (imported lazily so `import lrnn` stays cheap):
    lrnn.train(**settings) -> Run      the whole lifecycle, as `lrnn train`
    lrnn.load(run_dir) -> Predictor    a saved run, ready to predict
"""

from __future__ import annotations

__version__ = "0.1.0"


def train(**settings):
    """Train with the same settings as `lrnn train` (names of the flags, `_` for `-`)."""
    from .config import build_config
    from .engine import run

    return run(build_config(settings))


def load(run_dir):
    """Load a run directory saved by `lrnn train`."""
    from .predict import Predictor

    return Predictor.load(run_dir)


__all__ = ["train", "load", "__version__"]
