"""scikit-learn's LogisticRegression() with its defaults (lbfgs, max_iter=100) on pixels / 255,
as BENCHMARKS.md measures it; --save also writes the fitted model with joblib, for the predict
peer."""

from __future__ import annotations

import warnings
from pathlib import Path

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from benchmarks.peers.common import flat_pixels, load_split, parser, report


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--save", type=Path, help="write the fitted model here with joblib.dump")
    args = p.parse_args()
    images, labels = load_split(args.data_dir, "train")
    test_images, test_labels = load_split(args.data_dir, "test")
    model = LogisticRegression()
    # Its default budget stops lbfgs before convergence on MNIST; users see the warning, and
    # the benchmark keeps its own output readable.
    warnings.simplefilter("ignore", ConvergenceWarning)
    model.fit(flat_pixels(images), labels)
    accuracy = model.score(flat_pixels(test_images), test_labels)
    report(final=True, test_accuracy=accuracy)
    if args.save:
        import joblib

        joblib.dump(model, args.save)


if __name__ == "__main__":
    main()
