"""The training loop: exact L-BFGS against scikit-learn, iteration counts, --eval-every,
early stopping and divergence."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from lrnn.config import build_config, training_settings
from lrnn.config.recipes import resolve
from lrnn.console import Console
from lrnn.errors import TrainingDiverged
from lrnn.models.losses import probabilities
from lrnn.models.torch_models import architecture, build
from lrnn.preprocessing.prepare import TrainData
from lrnn.training.loop import Trainer


class Lines(Console):
    """A console that keeps the lines it is given."""

    def __init__(self, lines: list):
        super().__init__(bars=False)
        self.lines = lines

    def log(self, message: str) -> None:
        self.lines.append(message)


def fit(X, y, n_classes, log=None, test=None, val=None, **settings):
    config = resolve(build_config(settings), len(y))
    torch.manual_seed(config.seed)
    model = build(architecture(config, X.shape[1], n_classes))
    data = TrainData(torch.as_tensor(X), torch.as_tensor(y))
    console = Lines(log) if log is not None else Console.silent()
    history = Trainer(model, training_settings(config), n_classes, data, val=val, test=test,
                      console=console).fit()
    return model, history, config


@pytest.mark.parametrize("loader,C", [(load_breast_cancer, 1.0), (load_breast_cancer, 0.1),
                                      (load_digits, 0.5)])
def test_lbfgs_matches_sklearn(loader, C):
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    n_classes = len(np.unique(y))
    reference = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X.astype(np.float64), y)
    model, history, config = fit(X, y, n_classes, model="logreg", C=C, tol=1e-8, epochs=1000)
    assert config.optimizer == "lbfgs" and history.converged
    coef = model.linear.weight.detach().numpy().astype(np.float64)
    intercept = model.linear.bias.detach().numpy().astype(np.float64)
    proba = probabilities(model(torch.as_tensor(X))).detach().numpy()
    if n_classes > 2:  # softmax ignores a shift shared by all classes; scikit-learn centers
        intercept = intercept - intercept.mean()
    assert np.abs(coef - reference.coef_).max() / np.abs(reference.coef_).max() <= 1e-3
    assert np.abs(intercept - reference.intercept_).max() / np.abs(reference.intercept_).max() <= 1e-3
    assert np.abs(proba - reference.predict_proba(X)).max() <= 1e-4


def _digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X).astype(np.float32), y


def test_iterations_and_eval_every():
    X, y = _digits()
    test = TrainData(torch.as_tensor(X[:300]), torch.as_tensor(y[:300]))
    lines = []
    _, history, _ = fit(X, y, 10, log=lines, test=test, model="logreg", optimizer="sgd",
                        lr=0.05, batch_size=100, iterations=45, eval_every=20)
    assert history.epochs[-1]["step"] == 45  # 18 steps per epoch: stops mid-epoch 3
    assert [row["epoch"] for row in history.epochs] == [1, 2, 3]
    assert [e["step"] for e in history.evals] == [20, 40]
    assert sum(line.startswith("iteration") for line in lines) == 2
    assert 0 < history.evals[-1]["test_accuracy"] <= 1


def test_early_stopping_restores_best_weights():
    X, y = _digits()
    val = TrainData(torch.as_tensor(X[:200]), torch.as_tensor(y[:200]))
    model, history, _ = fit(X[200:], y[200:], 10, val=val, model="mlp", optimizer="adam",
                            lr=0.01, batch_size=64, epochs=60, early_stopping=True, patience=3,
                            hidden_layer_sizes="64")
    assert history.stopped_early and len(history.epochs) < 60
    best = history.best_epoch
    assert len(history.epochs) == best + 3
    val_losses = [row["val_loss"] for row in history.epochs]
    assert val_losses[best - 1] == min(val_losses)
    with torch.no_grad():
        logits = model(val.X)
    restored = float(torch.nn.functional.cross_entropy(logits, val.y))
    assert restored == pytest.approx(val_losses[best - 1], rel=1e-5)


def test_divergence_names_epoch_and_step():
    X, y = _digits()
    X = X * 1e30
    with pytest.raises(TrainingDiverged, match=r"epoch 1, step \d+"):
        fit(X, y, 10, model="logreg", optimizer="sgd", lr=1e10, epochs=2, batch_size=200)
