"""What both estimators do to fit: check the inputs as scikit-learn does, weight the rows, and
train through the same `training.Trainer` as `lrnn train` (no second training loop).

Row weights. The Trainer's loss is sum(w * loss) / rows plus alpha / (2 * rows) * sum(W^2).
`row_weights` scales the weights to mean 1 and `Fit.alpha` scales alpha by rows / sum(w), which
makes the objective sum(w * loss) / sum(w) + alpha / (2 * sum(w)) * sum(W^2): for integer
weights, exactly the objective of the data with each row repeated w times (scikit-learn's
meaning of sample_weight), at the same scale, so L-BFGS takes the same path on both.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_random_state, validate_data

from ..errors import TrainingDiverged

SEED_LIMIT = 2**31 - 1


def check_fit_inputs(estimator, X, y, sample_weight, reset: bool = True):
    """(X float32 [N, F], y as given [N], sample weights float64 [N] or None), checked as
    scikit-learn's own classifiers check them."""
    X, y = validate_data(estimator, X, y, reset=reset, dtype=np.float32, order="C",
                         y_numeric=False)
    check_classification_targets(y)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64,
                                             ensure_non_negative=True)
    return X, y, sample_weight


def check_predict_input(estimator, X) -> np.ndarray:
    return validate_data(estimator, X, reset=False, dtype=np.float32, order="C")


def class_indices(classes: np.ndarray, y: np.ndarray) -> np.ndarray:
    """y as indices 0..K-1 into `classes`; a label outside them is an error."""
    index = np.searchsorted(classes, y)
    index = np.clip(index, 0, len(classes) - 1)
    unknown = classes[index] != y
    if unknown.any():
        raise ValueError(f"y holds labels not in classes {classes.tolist()}: "
                         f"{np.unique(y[unknown]).tolist()[:5]}")
    return index.astype(np.int64)


def check_two_classes(classes: np.ndarray) -> None:
    if len(classes) < 2:
        raise ValueError(f"This estimator needs samples of at least 2 classes in the data, but "
                         f"the data contains only one class: {classes[0]!r}")


def row_weights(y_index: np.ndarray, classes: np.ndarray, y: np.ndarray, sample_weight,
                class_weight) -> tuple[np.ndarray | None, float]:
    """(per-row weights scaled to mean 1, or None when all are equal; rows / sum of the
    unscaled weights, the factor alpha takes, see the module's note). The unscaled weights are
    sample_weight times class_weight; "balanced" weights classes by
    sum(w) / (n_classes * the class's sum(w)), as scikit-learn does."""
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if isinstance(class_weight, str) and class_weight == "balanced":
        per_class = np.bincount(y_index, weights=w, minlength=len(classes))
        w = w * (w.sum() / (len(classes) * np.maximum(per_class, np.finfo(float).tiny)))[y_index]
    elif class_weight is not None:
        from sklearn.utils.class_weight import compute_class_weight

        w = w * compute_class_weight(class_weight, classes=classes, y=y)[y_index]
    total = w.sum()
    if not total > 0:
        raise ValueError("Sample weights must contain at least one non-zero number (the "
                         "weights of the rows are all zero once class_weight is applied)")
    scale = len(w) / total
    return (None if np.all(w == w[0]) else w * scale), scale


def seed_of(random_state) -> int:
    """An integer seed for torch and the batch order; None draws a new one, as scikit-learn."""
    return int(check_random_state(random_state).randint(SEED_LIMIT))


def warn_not_converged(message: str) -> None:
    warnings.warn(message, ConvergenceWarning, stacklevel=3)


@dataclass
class Fit:
    """One training call: what to train, on what, from where."""

    settings: Any  # config.TrainingSettings
    device: str  # where to train: auto, cpu, cuda, mps
    arch: dict  # the architecture, as models.torch_models.build takes it
    X: np.ndarray  # float32 [N, F]
    y: np.ndarray  # int64 [N] class indices
    w: np.ndarray | None = None  # float64 [N], mean 1 (row_weights)
    init: dict[str, np.ndarray] | None = None  # starting weights (warm start), by tensor name
    zero_init: bool = False  # start from all-zero weights, as scikit-learn's linear models
    frozen_bias: bool = False  # fit_intercept=False: the bias stays 0
    val: tuple[np.ndarray, np.ndarray] | None = None  # (X, y indices) for early stopping
    optimizer: Any = None  # continue with this optimizer (partial_fit)
    module: Any = None  # ... and its model
    on_epoch: Callable[[dict], bool] | None = None
    console: Any = None  # console.Console; None: silent


@dataclass
class Trained:
    weights: dict[str, np.ndarray]  # tensor name -> float64 array
    history: Any  # training.state.History
    module: Any  # the torch model, for partial_fit
    optimizer: Any  # its optimizer, for partial_fit


def train(fit: Fit) -> Trained:
    """Build the model, train it with the Trainer on the configured device, and return its
    weights. Runs under its own torch random state, seeded from the config, so that a fit is
    repeatable and leaves the caller's torch random state alone."""
    import torch

    from ..training.device import choose_device, threads_for

    device = choose_device(fit.device)
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(fit.settings.seed)
        module = fit.module if fit.module is not None else _new_module(fit, device)
        with threads_for(module, device):
            trainer = _trainer(fit, module, device)
            history = _fit_or_raise(trainer)
    # L-BFGS solved in float64 on a twin of the model: its weights are the exact answer.
    solved = trainer.lbfgs_twin if trainer.lbfgs_twin is not None else module
    weights = {k: v.detach().cpu().numpy().astype(np.float64)
               for k, v in solved.state_dict().items()}
    return Trained(weights, history, module, trainer.optimizer)


def _tensors(X: np.ndarray, y: np.ndarray, w: np.ndarray | None, device, exact: bool = False):
    """TrainData on the device. `exact` (L-BFGS, which solves in float64) keeps the row
    weights in float64: rounded to float32 they would move the optimum by ~1e-8."""
    import torch

    from ..preprocessing.prepare import TrainData

    if w is not None:
        w = torch.as_tensor(w, dtype=torch.float64 if exact else torch.float32).to(device)
    return TrainData.from_numpy(X, y, device, w)


def _trainer(fit: Fit, module, device):
    from ..training.loop import Trainer

    train = _tensors(fit.X, fit.y, fit.w, device, exact=fit.settings.optimizer == "lbfgs")
    val = _tensors(*fit.val, None, device) if fit.val is not None else None
    return Trainer(module, fit.settings, fit.arch["n_classes"], train, val=val,
                   console=fit.console, on_epoch=fit.on_epoch, optimizer=fit.optimizer)


def _fit_or_raise(trainer):
    """Trainer.fit, with its one-line divergence error as scikit-learn's ValueError."""
    try:
        return trainer.fit()
    except TrainingDiverged as exc:
        raise ValueError(f"{exc}; hint: scale the features (StandardScaler) or lower the "
                         f"learning rate") from None


def _new_module(fit: Fit, device):
    import torch

    from ..models.torch_models import build

    module = build(fit.arch)
    with torch.no_grad():
        if fit.zero_init:
            for p in module.parameters():
                p.zero_()
        if fit.init is not None:
            module.load_state_dict({k: torch.as_tensor(v) for k, v in fit.init.items()})
    for name, p in module.named_parameters():
        if fit.frozen_bias and name.endswith("bias"):
            p.requires_grad_(False)
    return module.to(device)
