"""One trial, as the workers run it: small L-BFGS logistic regressions scored by 5-fold
cross-validation over the training and validation rows (scikit-learn's cross_val_predict with
the same folds is the oracle), every other trial on the validation split."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import PredefinedSplit, cross_val_predict

pytest.importorskip("optuna")

import optuna  # noqa: E402

from lrnn.tune._lrnn import build_config, prepare_data  # noqa: E402
from lrnn.tune.objective import FOLDS_ATTR, Aborted, Objective, study_folds  # noqa: E402
from lrnn.tune.space import space_from  # noqa: E402


def objective(base: dict, raw_space: dict) -> Objective:
    """The Objective a worker makes for this study, its folds decided as the command does."""
    config = build_config(base)
    prepared, device = prepare_data(config, show_warnings=False)
    space = space_from(raw_space, "test")
    return Objective(base, space, "val_loss", prune=False, trials=None, prepared=prepared,
                     device=device, folds=study_folds(space, base, prepared))


def run(objective: Objective, trials: int) -> optuna.Study:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(objective, n_trials=trials)
    return study


def test_small_logistic_regression_trials_are_cross_validated():
    wine = objective({"dataset": "wine", "model": "logreg"},
                     {"C": {"low": 1e-3, "high": 1e3, "log": True}})
    study = run(wine, 3)
    pool, prepared = wine.pool, wine.prepared
    X = np.concatenate([prepared.train.X.numpy(), prepared.val.X.numpy()]).astype(np.float64)
    y = pool.y.numpy()
    assert len(y) == len(prepared.train) + len(prepared.val)
    for trial in study.trials:
        assert trial.user_attrs[FOLDS_ATTR] == 5
        model = LogisticRegression(C=trial.params["C"], tol=1e-8, max_iter=10_000)
        proba = cross_val_predict(model, X, y, cv=PredefinedSplit(pool.fold.numpy()),
                                  method="predict_proba")
        assert trial.value == pytest.approx(log_loss(y, proba), abs=2e-3)
        assert trial.user_attrs["val_accuracy"] == pytest.approx(
            accuracy_score(y, proba.argmax(1)), abs=1.5 / len(y))


def test_other_trials_are_scored_on_the_validation_split():
    wine = objective({"dataset": "wine", "model": "mlp", "epochs": 20},
                     {"alpha": {"low": 1e-4, "high": 1e-1, "log": True}})
    study = run(wine, 2)
    assert wine.pool is None
    for trial in study.trials:
        assert FOLDS_ATTR not in trial.user_attrs
        assert trial.user_attrs["epochs"] == 20


@pytest.mark.parametrize("base, raw_space", [
    ({"dataset": "wine", "model": "logreg", "optimizer": "adam"}, {"C": {"low": 0.1, "high": 1}}),
    ({"dataset": "wine", "model": "logreg"},  # some trials by Adam: none cross-validated
     {"C": {"low": 0.1, "high": 1.0}, "optimizer": {"choices": ["lbfgs", "adam"]}}),
    ({"dataset": "wine", "model": "logreg", "early_stopping": True}, {"C": {"low": 0.1, "high": 1}}),
    ({"dataset": "mnist", "model": "logreg", "optimizer": "lbfgs"}, {"C": {"low": 0.1, "high": 1}}),
])
def test_a_study_is_cross_validated_only_when_every_trial_is_a_small_lbfgs_fit(base, raw_space):
    assert objective(base, raw_space).folds == 0


def test_an_abort_stops_a_cross_validated_trial_between_rounds():
    wine = objective({"dataset": "wine", "model": "logreg", "tol": 0.0},
                     {"C": {"low": 999.0, "high": 1000.0}})  # weak penalty: a long fit
    wine.abort.set()
    study = optuna.create_study()
    with pytest.raises(Aborted):
        wine(study.ask())
