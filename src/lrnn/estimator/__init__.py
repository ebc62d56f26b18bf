"""scikit-learn compatible classifiers over lrnn's core: the same recipes, Trainer, numpy
inference and run directories as `lrnn train` (DESIGN.md). Fitted state ends in `_`;
`__init__` only stores settings, checks run in `fit`."""

from .logistic import LogisticRegression
from .mlp import MLPClassifier

ESTIMATORS = {cls.__name__: cls for cls in (LogisticRegression, MLPClassifier)}

__all__ = ["ESTIMATORS", "LogisticRegression", "MLPClassifier"]
