"""scikit-learn's textbook pipeline on a numeric CSV: pandas reads it, an 80/20 stratified split,
median imputation and standard scaling, LogisticRegression() (lbfgs, 100 iterations), the test
accuracy. What someone who knows the libraries writes first.

    python -m benchmarks.peers.sklearn_table FILE.csv --target y
"""

from __future__ import annotations

import argparse

from benchmarks.peers.common import report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv")
    p.add_argument("--target", required=True)
    args = p.parse_args()

    import pandas as pd
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(args.csv)
    y = frame.pop(args.target)
    X_train, X_test, y_train, y_test = train_test_split(frame, y, test_size=0.2, stratify=y,
                                                        random_state=0)
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                          LogisticRegression())
    model.fit(X_train, y_train)
    report(final=True, test_accuracy=float(model.score(X_test, y_test)))


if __name__ == "__main__":
    main()
