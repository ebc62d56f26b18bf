"""The scikit-learn estimators (lrnn.estimator): scikit-learn's own estimator checks, its
LogisticRegression as the oracle for the coefficients, pipelines and model selection, and the
warnings and refusals. MLPClassifier: test_estimator_mlp.py; saving: test_estimator_saving.py."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import lrnn

FLOAT32_SAMPLE_WEIGHTS = (
    "mini-batch Adam trains in float32: weighted rows and repeated rows give the same model "
    "to about 3e-7 relative, and this check asks for 1e-7. scikit-learn runs this check on its "
    "own MLPClassifier with solver='lbfgs' only; the lbfgs instances here (solved in float64) "
    "pass it")


def expected_failures(estimator) -> dict[str, str]:
    if estimator.solver == "adam":
        return {"check_sample_weight_equivalence_on_dense_data": FLOAT32_SAMPLE_WEIGHTS}
    return {}


@parametrize_with_checks([lrnn.LogisticRegression(), lrnn.LogisticRegression(solver="adam"),
                          lrnn.MLPClassifier(), lrnn.MLPClassifier(solver="lbfgs")],
                         expected_failed_checks=expected_failures)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def standardized(loader):
    X, y = loader(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def noisy_three_classes(return_X_y=True):
    return make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3,
                               flip_y=0.2, random_state=0)


def relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.abs(ours - reference).max() / np.abs(reference).max())


EXACT = dict(solver="lbfgs", tol=1e-8, max_iter=1000)  # lrnn, solved to the optimum
REFERENCE = dict(tol=1e-10, max_iter=10_000)  # scikit-learn, likewise


@pytest.mark.parametrize("loader,ours,theirs", [
    (load_breast_cancer, {}, {}),
    (load_breast_cancer, {"C": 0.1, "class_weight": "balanced"},
     {"C": 0.1, "class_weight": "balanced"}),
    (load_breast_cancer, {"fit_intercept": False}, {"fit_intercept": False}),
    (load_digits, {}, {}),
    (noisy_three_classes, {"penalty": None}, {"C": np.inf}),  # unpenalized: a finite optimum
])
def test_lbfgs_matches_sklearn(loader, ours, theirs):
    X, y = standardized(loader)
    model = lrnn.LogisticRegression(**EXACT, **ours).fit(X, y)
    reference = SkLogisticRegression(**REFERENCE, **theirs).fit(X, y)
    assert model.coef_.shape == reference.coef_.shape  # binary: (1, n_features)
    assert relative_error(model.coef_, reference.coef_) <= 1e-3
    if ours.get("fit_intercept", True):
        assert relative_error(model.intercept_, reference.intercept_) <= 1e-3
    else:
        assert not model.intercept_.any()
    assert np.abs(model.predict_proba(X) - reference.predict_proba(X)).max() <= 1e-4
    np.testing.assert_allclose(model.decision_function(X), reference.decision_function(X),
                               atol=2e-3)


def test_sample_weight_is_sklearns_and_repeating_rows():
    X, y = standardized(load_breast_cancer)
    weights = np.random.default_rng(0).integers(0, 4, len(y))
    model = lrnn.LogisticRegression(**EXACT).fit(X, y, sample_weight=weights)
    reference = SkLogisticRegression(**REFERENCE).fit(X, y, sample_weight=weights)
    repeated = lrnn.LogisticRegression(**EXACT).fit(np.repeat(X, weights, axis=0),
                                                    np.repeat(y, weights))
    assert relative_error(model.coef_, reference.coef_) <= 1e-3
    assert relative_error(model.coef_, repeated.coef_) <= 1e-5


def test_grid_search_and_cross_validation_in_a_pipeline_agree_with_sklearn():
    X, y = load_breast_cancer(return_X_y=True)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = make_pipeline(StandardScaler(), lrnn.LogisticRegression(**EXACT))
    theirs = make_pipeline(StandardScaler(), SkLogisticRegression(**REFERENCE))
    scores = cross_val_score(ours, X, y, cv=folds, scoring="neg_log_loss")
    np.testing.assert_allclose(scores, cross_val_score(theirs, X, y, cv=folds,
                                                       scoring="neg_log_loss"), rtol=1e-4)
    grid = {"logisticregression__C": [0.01, 0.1, 1.0, 10.0]}
    search = GridSearchCV(ours, grid, cv=folds, scoring="neg_log_loss").fit(X, y)
    reference = GridSearchCV(theirs, grid, cv=folds, scoring="neg_log_loss").fit(X, y)
    assert search.best_params_ == reference.best_params_
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               reference.cv_results_["mean_test_score"], rtol=1e-4)
    assert isinstance(search.best_estimator_[-1], lrnn.LogisticRegression)
    assert search.score(X, y) == pytest.approx(reference.score(X, y), rel=1e-4)


def test_convergence_warning_when_max_iter_ends_lbfgs():
    X, y = standardized(load_digits)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 3 iteration"):
        model = lrnn.LogisticRegression(max_iter=3).fit(X, y)
    assert model.n_iter_.tolist() == [3]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = lrnn.LogisticRegression(max_iter=1000).fit(X, y)
    assert 3 < model.n_iter_[0] < 1000


def test_default_solver_follows_the_recipes_by_size():
    """Exact L-BFGS up to 20,000 rows; lrnn's mini-batch recipe (its epochs) above."""
    from lrnn.config.recipes import RECIPES

    epochs = RECIPES["logreg"]["epochs"]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20_001, 5)).astype(np.float32)
    y = (X @ rng.normal(size=5) + rng.normal(size=len(X)) > 0).astype(int)
    large = lrnn.LogisticRegression().fit(X, y)
    small = lrnn.LogisticRegression().fit(X[:20_000], y[:20_000])
    assert large.n_iter_.tolist() == [epochs] and len(large.loss_curve_) == epochs
    assert small.n_iter_[0] > epochs  # L-BFGS iterations
    assert large.score(X, y) == pytest.approx(small.score(X, y), abs=0.01)


@pytest.mark.parametrize("settings", [{"penalty": "l1"}, {"penalty": "elasticnet",
                                                          "l1_ratio": 0.5}, {"l1_ratio": 1.0}])
def test_l1_penalties_are_refused(settings):
    X, y = standardized(load_iris)
    with pytest.raises(ValueError, match="L2 penalty .* only"):
        lrnn.LogisticRegression(**settings).fit(X, y)


def test_warm_start_starts_from_the_last_solution():
    X, y = standardized(load_digits)
    model = lrnn.LogisticRegression(warm_start=True, tol=1e-6, max_iter=1000).fit(X, y)
    first = model.n_iter_[0]
    model.fit(X, y)
    assert model.n_iter_[0] < first / 4
    model.fit(X, y)  # at its optimum already: no iteration to run, and none counted
    assert model.n_iter_[0] == 0 and model.loss_curve_ == []


def test_import_lrnn_stays_cheap():
    code = ("import sys, lrnn; print('sklearn' in sys.modules, 'torch' in sys.modules); "
            "lrnn.MLPClassifier; print('sklearn' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "True", "False"]
