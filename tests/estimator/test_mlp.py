"""lrnn.MLPClassifier (lrnn.estimator.mlp): scikit-learn's layout and meanings, partial_fit,
stopping rules and warnings. scikit-learn's own checks run in test_estimator.py."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.preprocessing import StandardScaler

import lrnn


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(StandardScaler().fit_transform(X), y, test_size=0.25,
                            random_state=0, stratify=y)


def test_layout_and_accuracy_match_sklearn(digits):
    X_train, X_test, y_train, y_test = digits
    model = lrnn.MLPClassifier(hidden_layer_sizes=(32, 16), random_state=0).fit(X_train, y_train)
    reference = SkMLPClassifier(hidden_layer_sizes=(32, 16), random_state=0, max_iter=300)
    reference.fit(X_train, y_train)
    assert [c.shape for c in model.coefs_] == [c.shape for c in reference.coefs_]
    assert [b.shape for b in model.intercepts_] == [b.shape for b in reference.intercepts_]
    assert (model.n_layers_, model.n_outputs_, model.out_activation_) == (4, 10, "softmax")
    assert model.score(X_test, y_test) >= reference.score(X_test, y_test) - 0.03
    assert len(model.loss_curve_) == model.n_iter_ < 200  # stopped on the training loss
    assert model.best_loss_ == min(model.loss_curve_)


def test_alpha_and_sample_weight_mean_what_they_mean_in_sklearn():
    """With no hidden layer and lbfgs, the MLP is a logistic regression whose penalty is
    alpha / (2 * rows) * sum(W^2): scikit-learn's LogisticRegression with C = 1 / alpha."""
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    weights = np.random.default_rng(0).integers(0, 4, len(y))
    model = lrnn.MLPClassifier(hidden_layer_sizes=(), solver="lbfgs", alpha=0.5, tol=1e-8,
                               max_iter=1000).fit(X, y, sample_weight=weights)
    reference = SkLogisticRegression(C=2.0, tol=1e-10, max_iter=10_000)
    reference.fit(X, y, sample_weight=weights)
    assert model.coefs_[0].shape == (30, 1) and model.out_activation_ == "logistic"
    coef = model.coefs_[0].T
    assert np.abs(coef - reference.coef_).max() / np.abs(reference.coef_).max() <= 1e-3
    assert np.abs(model.predict_proba(X) - reference.predict_proba(X)).max() <= 1e-4


def test_partial_fit_continues_the_optimizer(digits):
    """Two partial_fit calls on a full batch (<= 200 rows) take the same Adam steps as
    fit(max_iter=2): the moments and step count carry over between calls."""
    X, y = digits[0][:150], digits[2][:150]
    classes = np.arange(10)
    stepped = lrnn.MLPClassifier(hidden_layer_sizes=(16,), random_state=3)
    for _ in range(2):
        stepped.partial_fit(X, y, classes=classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = lrnn.MLPClassifier(hidden_layer_sizes=(16,), random_state=3, max_iter=2)
        fitted.fit(X, y)
    assert stepped.n_iter_ == 2 and len(stepped.loss_curve_) == 2
    for ours, theirs in zip(stepped.coefs_, fitted.coefs_):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)


def test_partial_fit_needs_classes_first_and_a_stochastic_solver(digits):
    X, y = digits[0], digits[2]
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        lrnn.MLPClassifier().partial_fit(X, y)
    model = lrnn.MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    model.partial_fit(X[y < 5], y[y < 5], classes=np.arange(10))  # classes not yet seen
    assert model.classes_.tolist() == list(range(10))
    with pytest.raises(ValueError, match="not the same as on the last call"):
        model.partial_fit(X, y, classes=[0, 1])
    assert not hasattr(lrnn.MLPClassifier(solver="lbfgs"), "partial_fit")


def test_early_stopping_watches_a_validation_split(digits):
    X, y = digits[0], digits[2]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = lrnn.MLPClassifier(hidden_layer_sizes=(32,), early_stopping=True,
                                   n_iter_no_change=2, random_state=0).fit(X, y)
    assert model.n_iter_ < 200 and len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ in model.validation_scores_
    assert model.best_loss_ is None


def test_max_iter_warns_and_warm_start_goes_on(digits):
    X, y = digits[0], digits[2]
    model = lrnn.MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, warm_start=True,
                               random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(3\) reached"):
        model.fit(X, y)
    first_curve = list(model.loss_curve_)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y)
    assert model.n_iter_ == 6 and model.loss_curve_[:3] == first_curve
    assert model.loss_curve_[3] < first_curve[-1]  # went on from the weights it had


def test_sklearn_activation_names(digits):
    """"logistic" is lrnn's "sigmoid"; "identity" leaves the network linear."""
    X, y = digits[0][:300], digits[2][:300]
    fitted = {}
    for name in ("logistic", "sigmoid", "identity"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted[name] = lrnn.MLPClassifier(hidden_layer_sizes=(8,), activation=name,
                                              max_iter=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(fitted["logistic"].predict_proba(X),
                                  fitted["sigmoid"].predict_proba(X))
    (W1, W2), (b1, b2) = fitted["identity"].coefs_, fitted["identity"].intercepts_
    np.testing.assert_allclose(fitted["identity"].decision_function(X),
                               (X @ W1 + b1) @ W2 + b2, rtol=1e-5, atol=1e-5)
