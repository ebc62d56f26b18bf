"""A table logistic regression's weights by feature name, for metrics.json."""

from __future__ import annotations

from typing import Any

import numpy as np


def coefficients(weights: dict[str, np.ndarray], classes: tuple[str, ...],
                 features: list[str]) -> dict[str, Any]:
    """Logistic regression's weights by feature name, per class (binary: the positive class's
    log-odds). Numbers are per standard deviation, categories per 0/1 level column."""
    W, b = weights["linear.weight"], weights["linear.bias"]
    rows = classes[1:] if len(classes) == 2 else classes
    return {
        "scale": "per standard deviation of a number; per 0/1 level column of a category",
        "intercept": {cls: float(b[k]) for k, cls in enumerate(rows)},
        "by_class": {cls: dict(zip(features, map(float, W[k]))) for k, cls in enumerate(rows)},
    }
