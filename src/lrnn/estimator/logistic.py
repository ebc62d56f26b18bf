"""lrnn.LogisticRegression: scikit-learn's LogisticRegression, trained by lrnn's core."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..config import DEVICES, TrainingSettings
from ..config.recipes import RECIPES, SMALL_ROWS, fill_training
from .base import FORWARD_DTYPE, LrnnClassifier
from .fitting import (Fit, check_fit_inputs, check_two_classes, class_indices, row_weights,
                      seed_of, train, warn_not_converged)


class LogisticRegression(LrnnClassifier):
    """L2-penalized logistic regression: one logit (sigmoid) for two classes, K logits
    (softmax) for K classes. The objective is scikit-learn's, so coef_ and intercept_ match
    scikit-learn's LogisticRegression where both converge: the weighted mean log-loss plus
    1 / (2 C sum(sample_weight)) * ||coef_||^2 (the intercept is not penalized).

    Parameters follow scikit-learn; lrnn's own:

    solver : {"auto", "lbfgs", "adam"}, default="auto"
        "lbfgs": full-batch L-BFGS in float64, exact; max_iter is its iteration budget and it
        stops once the largest gradient entry is at most tol (a ConvergenceWarning otherwise).
        "adam": lrnn's recipe for large data (recipes.RECIPES["logreg"]: Adam, lr 0.04, batches
        of 512, a cosine schedule to zero over 4 epochs, at most max_iter epochs); a fixed
        budget with no tolerance, hence no ConvergenceWarning. "auto": "lbfgs" up to 20,000
        rows, "adam" above (on MNIST: scikit-learn's accuracy, many times faster).
    device : {"auto", "cpu", "cuda", "mps"}, default="auto"
        Where to train (auto: cuda, then mps, then cpu). Prediction runs on the CPU in numpy.

    penalty "l1" and "elasticnet" (or l1_ratio > 0) are refused: lrnn's solvers minimize smooth
    objectives only, and an L1 solution they produced would not be exact.
    """

    _parameter_constraints: dict = {
        "penalty": [StrOptions({"l1", "l2", "elasticnet"}), None],
        "C": [Interval(Real, 0, None, closed="right")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "fit_intercept": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "random_state": ["random_state"],
        "solver": [StrOptions({"auto", "lbfgs", "adam"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "device": [StrOptions(set(DEVICES))],
    }

    def __init__(self, penalty="l2", *, C=1.0, l1_ratio=0.0, fit_intercept=True, tol=1e-4,
                 class_weight=None, random_state=None, solver="auto", max_iter=100, verbose=0,
                 warm_start=False, device="auto"):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.device = device

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        alpha = self._alpha()
        X, y, sample_weight = check_fit_inputs(self, X, y, sample_weight)
        classes = np.unique(y)
        check_two_classes(classes)
        y_index = class_indices(classes, y)
        w, scale = row_weights(y_index, classes, y, sample_weight, self.class_weight)
        settings = self._settings(len(X), alpha * scale)
        arch = {"model": "logreg", "n_features": X.shape[1], "n_classes": len(classes),
                "dtype": FORWARD_DTYPE}
        init = self._warm_start_weights(arch)
        trained = train(Fit(settings, self.device, arch, X, y_index, w, init=init,
                            zero_init=init is None, frozen_bias=not self.fit_intercept,
                            console=self._console()))
        self.classes_ = classes
        self._set_weights(trained.weights)
        self._set_history(trained.history, settings)
        return self

    def _alpha(self) -> float:
        """The L2 strength in lrnn's terms (alpha = 1/C); l1 and elasticnet are refused."""
        if self.penalty in ("l1", "elasticnet") or (self.l1_ratio or 0) > 0:
            raise ValueError(f"penalty={self.penalty!r}, l1_ratio={self.l1_ratio}: lrnn solves "
                             f"the L2 penalty (or none) only; use penalty='l2' or None with "
                             f"l1_ratio=0, or scikit-learn's solver 'saga' for L1")
        if self.penalty is None or self.C == np.inf:
            return 0.0
        return 1.0 / self.C

    def _settings(self, n_rows: int, alpha: float) -> TrainingSettings:
        """lrnn's recipe for the solver (config/recipes.py), with max_iter as its budget."""
        solver = self.solver
        if solver == "auto":
            solver = "lbfgs" if n_rows <= SMALL_ROWS else "adam"
        recipe = dict(RECIPES["logreg-small" if solver == "lbfgs" else "logreg"])
        if solver == "adam" and n_rows <= SMALL_ROWS:
            del recipe["epochs"]  # the recipe gives a small split enough epochs (MIN_STEPS)
        filled = fill_training("logreg", n_rows, recipe)
        epochs = self.max_iter if solver == "lbfgs" else min(filled["epochs"], self.max_iter)
        return TrainingSettings(optimizer=filled["optimizer"], lr=filled["lr"],
                                schedule=filled["schedule"], batch_size=filled["batch_size"],
                                epochs=epochs, alpha=alpha, tol=self.tol,
                                seed=seed_of(self.random_state))

    def _warm_start_weights(self, arch: dict) -> dict | None:
        if not (self.warm_start and hasattr(self, "coef_")):
            return None
        expected = (1 if arch["n_classes"] == 2 else arch["n_classes"], arch["n_features"])
        if self.coef_.shape != expected:
            raise ValueError(f"warm_start: the previous coef_ has shape {self.coef_.shape}, "
                             f"this data needs {expected}")
        return self._state_weights()

    def _set_weights(self, weights: dict[str, np.ndarray]) -> None:
        self.coef_ = weights["linear.weight"]
        intercept = weights["linear.bias"]
        if len(self.classes_) > 2:
            # Softmax ignores a shift shared by all classes; scikit-learn's is centred.
            intercept = intercept - intercept.mean()
        self.intercept_ = intercept

    def _set_history(self, history, settings: TrainingSettings) -> None:
        rows = history.epochs
        self.loss_curve_ = [row["train_loss"] for row in rows]
        if settings.optimizer != "lbfgs":
            done = len(rows)
        else:  # no row: a warm start at the optimum, where L-BFGS had no iteration to run
            done = rows[-1]["step"] if rows else 0
        self.n_iter_ = np.array([done], dtype=np.int32)
        if settings.optimizer == "lbfgs" and not history.converged:
            warn_not_converged(
                f"lbfgs failed to converge after {done} iteration(s): the largest gradient "
                f"entry is still above tol={self.tol}. Increase max_iter, or scale the data "
                f"(sklearn.preprocessing.StandardScaler)")

    def _restore(self, arch: dict, weights: dict[str, np.ndarray]) -> None:
        """Fitted state from a saved run (saving.py), classes_ already set."""
        self.coef_, self.intercept_ = weights["linear.weight"], weights["linear.bias"]

    def _architecture(self) -> dict:
        return {"model": "logreg", "n_features": self.coef_.shape[1],
                "n_classes": len(self.classes_), "dtype": FORWARD_DTYPE}

    def _state_weights(self) -> dict[str, np.ndarray]:
        return {"linear.weight": np.ascontiguousarray(self.coef_, dtype=np.float64),
                "linear.bias": np.ascontiguousarray(self.intercept_, dtype=np.float64)}
