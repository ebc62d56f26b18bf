"""lrnn.MLPClassifier: scikit-learn's MLPClassifier, trained by lrnn's core."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if

from ..config import ACTIVATIONS, DEVICES, SCHEDULES, TrainingSettings
from ..data.split import stratified_indices
from ..models.numpy_forward import layer_names
from .base import FORWARD_DTYPE, LrnnClassifier
from .fitting import (SEED_LIMIT, Fit, check_fit_inputs, check_two_classes, class_indices,
                      row_weights, seed_of, train, warn_not_converged)
from .stopping import NoImprovement

SKLEARN_ACTIVATIONS = {"logistic": "sigmoid"}  # scikit-learn's names for lrnn's
SOLVERS = ("adam", "sgd", "lbfgs", "adamw")


def _stochastic(estimator) -> bool:
    if estimator.solver == "lbfgs":
        raise AttributeError("partial_fit is only available for stochastic optimizers; "
                             "lbfgs is not stochastic")
    return True


class MLPClassifier(LrnnClassifier):
    """A multi-layer perceptron: hidden layers with `activation`, then one logit (sigmoid) for
    two classes or K logits (softmax) for K. Parameters mean what they mean in scikit-learn:
    `max_iter` epochs of mini-batches of `batch_size` rows (lbfgs: iterations), stopping once
    the training loss has not improved by `tol` for more than `n_iter_no_change` epochs; with
    `early_stopping`, on the validation loss of a stratified `validation_fraction` of the rows
    instead, keeping the best weights. `alpha` adds alpha / (2 * batch rows) * sum(W^2) to each
    batch's mean loss (biases are not penalized), as scikit-learn does.

    lrnn's own: `solver` also takes "adamw"; `schedule` ("none", "cosine", "onecycle", "step")
    shapes the learning rate over the max_iter epochs; `dropout` after each hidden layer;
    `activation` also takes "gelu", "sigmoid", "leaky_relu", "silu", "elu"; `device`.

    Differences from scikit-learn, by design: early stopping watches the validation loss (a
    smoother signal than scikit-learn's validation accuracy); the weights start from torch's
    initialisation; `learning_rate` must be "constant" (use `schedule` instead).
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", *ACTIVATIONS})],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "schedule": [StrOptions(set(SCHEDULES))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "device": [StrOptions(set(DEVICES))],
    }

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", *, solver="adam",
                 alpha=1e-4, batch_size="auto", learning_rate="constant",
                 learning_rate_init=1e-3, max_iter=200, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9, nesterovs_momentum=True,
                 early_stopping=False, validation_fraction=0.1, n_iter_no_change=10,
                 schedule="none", dropout=0.0, device="auto"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.schedule = schedule
        self.dropout = dropout
        self.device = device

    # --- fitting -------------------------------------------------------------------------

    def fit(self, X, y, sample_weight=None):
        self._validate_params()
        X, y, sample_weight = check_fit_inputs(self, X, y, sample_weight)
        classes = np.unique(y)
        check_two_classes(classes)
        continuing = self.warm_start and hasattr(self, "coefs_")
        if continuing and not np.array_equal(classes, self.classes_):
            raise ValueError(f"warm_start can only be used where y has the same classes as in "
                             f"the previous call to fit: {self.classes_.tolist()}, found "
                             f"{classes.tolist()}")
        if not continuing:
            self._start(classes, X.shape[1])
        self._train(X, y, sample_weight, epochs=self.max_iter, incremental=False,
                    init=self._state_weights() if continuing else None)
        return self

    @available_if(_stochastic)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y), continuing from the current weights and optimizer state.
        The first call needs `classes`, every label that y may ever hold."""
        first = not hasattr(self, "classes_")
        if first:
            self._validate_params()
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(f"`classes={list(classes)}` is not the same as on the last call "
                             f"to partial_fit, was: {self.classes_.tolist()}")
        X, y, sample_weight = check_fit_inputs(self, X, y, sample_weight, reset=first)
        if first:
            classes = np.unique(classes)
            check_two_classes(classes)
            self._start(classes, X.shape[1])
        self._train(X, y, sample_weight, epochs=1, incremental=True,
                    init=None if first else self._state_weights())
        return self

    def _start(self, classes: np.ndarray, n_features: int) -> None:
        """Fresh state for a first fit: a new model, optimizer and stopping rule."""
        self.classes_ = classes
        self._arch = {"model": "mlp", "n_features": n_features, "n_classes": len(classes),
                      "hidden_layer_sizes": self._hidden_sizes(),
                      "activation": SKLEARN_ACTIVATIONS.get(self.activation, self.activation),
                      "dropout": float(self.dropout), "dtype": FORWARD_DTYPE}
        self._seed = seed_of(self.random_state)
        self._module = self._optimizer = None
        self._stopper = NoImprovement(self.tol, self.n_iter_no_change)
        self.n_iter_, self.loss_curve_ = 0, []

    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        return [int(sizes)] if isinstance(sizes, Integral) else [int(s) for s in sizes]

    def _train(self, X, y, sample_weight, epochs: int, incremental: bool, init) -> None:
        y_index = class_indices(self.classes_, y)
        early = self.early_stopping and not incremental  # as scikit-learn: no early stopping
        val = None  # in partial_fit
        if early:
            (X, y_index, sample_weight), val = self._validation_split(X, y_index, sample_weight)
        w, scale = row_weights(y_index, self.classes_, self.classes_[y_index], sample_weight,
                               None)
        settings = self._settings(len(X), scale, epochs, early)
        stochastic = self.solver != "lbfgs"  # scikit-learn's lbfgs has no such rule
        fit = Fit(settings, self.device, self._arch, X, y_index, w, val=val, init=init,
                  console=self._console(),
                  on_epoch=self._stopper if stochastic and not early else None)
        if incremental and self._module is not None:
            self._sync_module()
            fit.module, fit.optimizer = self._module, self._optimizer
        trained = train(fit)
        if stochastic:  # kept for partial_fit (L-BFGS has none, and its history is large)
            self._module, self._optimizer = trained.module, trained.optimizer
        self._set_weights(trained.weights)
        self._set_history(trained.history, settings, epochs, early, incremental)

    def _validation_split(self, X, y_index, sample_weight):
        keep, held = stratified_indices(y_index, self.validation_fraction, self._seed)
        if len(held) == 0 or len(keep) == 0:
            raise ValueError(f"validation_fraction={self.validation_fraction} leaves no "
                             f"validation rows (or no training rows) of {len(X)}")
        weights = sample_weight[keep] if sample_weight is not None else None
        return (X[keep], y_index[keep], weights), (X[held], y_index[held])

    def _batch_rows(self, n_rows: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_rows)
        if self.batch_size > n_rows:
            warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is "
                          "going to be clipped")
        return min(self.batch_size, n_rows)

    def _settings(self, n_rows: int, weight_scale: float, epochs: int,
                  early: bool) -> TrainingSettings:
        lbfgs = self.solver == "lbfgs"
        batch = n_rows if lbfgs else self._batch_rows(n_rows)
        # scikit-learn's alpha / (2 * batch rows) per batch is lrnn's alpha' / (2 * rows) with
        # alpha' = alpha * rows / batch; weight_scale: see fitting.py.
        alpha = self.alpha * weight_scale * n_rows / batch
        sgd = self.solver == "sgd"
        return TrainingSettings(
            optimizer=self.solver, lr=1.0 if lbfgs else self.learning_rate_init,
            momentum=self.momentum if sgd else None,
            nesterov=sgd and self.nesterovs_momentum and self.momentum > 0,
            schedule="none" if lbfgs else self.schedule, batch_size=None if lbfgs else batch,
            epochs=epochs, alpha=alpha, tol=self.tol, early_stopping=early,
            patience=self.n_iter_no_change + 1,  # scikit-learn stops after n + 1 such epochs
            seed=(self._seed + self.n_iter_) % SEED_LIMIT)

    def _sync_module(self) -> None:
        """Continue from coefs_ / intercepts_ as they are now (they may have been set by
        hand), copied in place so that the optimizer keeps its state."""
        import torch

        state = self._module.state_dict()
        with torch.no_grad():
            for name, value in self._state_weights().items():
                state[name].copy_(torch.as_tensor(value))

    def _set_weights(self, weights: dict[str, np.ndarray]) -> None:
        names = layer_names(self._arch)
        self.coefs_ = [weights[f"{n}.weight"].T.copy() for n in names]  # sklearn: (in, out)
        self.intercepts_ = [weights[f"{n}.bias"] for n in names]
        self.n_layers_ = len(names) + 1
        self.n_outputs_ = 1 if len(self.classes_) == 2 else len(self.classes_)
        self.out_activation_ = "logistic" if len(self.classes_) == 2 else "softmax"

    def _set_history(self, history, settings: TrainingSettings, epochs: int, early: bool,
                     incremental: bool) -> None:
        rows = history.epochs
        lbfgs = settings.optimizer == "lbfgs"
        self.loss_curve_ = self.loss_curve_ + [row["train_loss"] for row in rows]
        self.n_iter_ += rows[-1]["step"] if lbfgs else len(rows)
        self.best_loss_ = None if early else min(self.loss_curve_)
        self.validation_scores_ = [row["val_accuracy"] for row in rows] if early else None
        self.best_validation_score_ = (rows[history.best_epoch - 1]["val_accuracy"]
                                       if early and history.best_epoch else None)
        if lbfgs and not history.converged:
            warn_not_converged(f"lbfgs failed to converge after {rows[-1]['step']} "
                               f"iteration(s): the largest gradient entry is still above "
                               f"tol={self.tol}. Increase max_iter")
        elif not lbfgs and not incremental and not history.stopped_early and len(rows) == epochs:
            warn_not_converged(f"Stochastic Optimizer: Maximum iterations ({epochs}) reached "
                               f"and the optimization hasn't converged yet.")

    # --- the fitted model ------------------------------------------------------------------

    def _restore(self, arch: dict, weights: dict[str, np.ndarray]) -> None:
        """Fitted state from a saved run (saving.py), classes_ and the saved attributes
        already set. partial_fit and warm_start go on from it with a new optimizer."""
        self._arch = dict(arch)
        self._seed = seed_of(self.random_state)
        self._module = self._optimizer = None
        self._stopper = NoImprovement(self.tol, self.n_iter_no_change)
        self._set_weights(weights)

    def _architecture(self) -> dict:
        return self._arch

    def _state_weights(self) -> dict[str, np.ndarray]:
        weights = {}
        for name, coef, intercept in zip(layer_names(self._arch), self.coefs_, self.intercepts_):
            weights[f"{name}.weight"] = np.ascontiguousarray(np.asarray(coef, np.float64).T)
            weights[f"{name}.bias"] = np.asarray(intercept, dtype=np.float64)
        return weights
