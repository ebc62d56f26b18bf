"""The peer of benchmarks/tune.py: scikit-learn's RandomizedSearchCV, 30 candidates, 5-fold
cross-validation, around LogisticRegression or MLPClassifier in the textbook pipeline (impute,
scale, one-hot encode), over the same space as lrnn's; refit on all training rows and scored
once on the given test rows. Prints one JSON line: the test accuracy and the best settings.

    python benchmarks/tune_sklearn.py SPEC.json   (written by benchmarks/tune.py)
"""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np

CANDIDATES = 30


class LayerSizes:
    """One to three hidden layers, each width log-uniform in [32, 512] (lrnn's Layers)."""

    def rvs(self, random_state=None):
        rng = np.random.default_rng(random_state.randint(2**31) if hasattr(
            random_state, "randint") else random_state)
        count = int(rng.integers(1, 4))
        return tuple(int(round(np.exp(rng.uniform(np.log(32), np.log(512)))))
                     for _ in range(count))


def load(flags: list[str]):
    """(features as a DataFrame, labels) as a scikit-learn user reads them."""
    import pandas as pd

    settings = dict(zip(flags[0::2], flags[1::2]))
    if "--dataset" in settings:
        from sklearn import datasets

        bunch = getattr(datasets, f"load_{settings['--dataset']}")(as_frame=True)
        return bunch.data, bunch.target.to_numpy()
    frame = pd.read_csv(settings["--data"])
    target = settings["--target"]
    y = frame.pop(target).astype(str).to_numpy()
    return frame.drop(columns=[settings["--drop"]] if "--drop" in settings else []), y


def pipeline(X, model: str):
    from scipy.stats import loguniform
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numbers = X.select_dtypes("number").columns.tolist()
    texts = [c for c in X.columns if c not in numbers]
    prepare = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),
        ("texts", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                OneHotEncoder(handle_unknown="ignore")), texts)])
    if model == "logreg":
        estimator = LogisticRegression(max_iter=1000)
        space = {"model__C": loguniform(1e-3, 1e3)}
    else:
        estimator = MLPClassifier(early_stopping=True, n_iter_no_change=10, random_state=0)
        space = {"model__hidden_layer_sizes": LayerSizes(),
                 "model__activation": ["relu", "tanh"],
                 "model__alpha": loguniform(1e-6, 1e-1),
                 "model__learning_rate_init": loguniform(1e-4, 3e-2),
                 "model__batch_size": [32, 64, 128, 256]}
    return Pipeline([("prepare", prepare), ("model", estimator)]), space


def main() -> None:
    from sklearn.model_selection import RandomizedSearchCV

    spec = json.loads(open(sys.argv[1]).read())
    X, y = load(spec["flags"])
    test = np.zeros(len(y), dtype=bool)
    test[spec["test_rows"]] = True
    model, space = pipeline(X, spec["model"])
    search = RandomizedSearchCV(model, space, n_iter=CANDIDATES, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning of the poorer candidates
        search.fit(X[~test], y[~test])
    accuracy = float(search.score(X[test], y[test]))
    print(json.dumps({"test_accuracy": accuracy,
                      "best": {k: str(v) for k, v in search.best_params_.items()}}))


if __name__ == "__main__":
    main()
