"""Hyperparameter search on Optuna (`lrnn tune`): many short trainings scored on the
validation split, on one machine or many, and the best one kept as a normal run directory.

Needs the tune extra (`pip install 'lrnn[tune]'`); this package imports optuna only inside the
functions that use it.
"""

from .runner import Options, tune

__all__ = ["Options", "tune"]
