"""Full-batch L-BFGS, the small-data logistic-regression solver: the Trainer's rounds
(full_batch.py) and a cross-validation's folds solved at once (cross_validation.py)."""

from .full_batch import LBFGS_ROUND, fit  # noqa: F401
