"""Metrics from probabilities and labels (numpy only, scikit-learn's numbers), and scoring a
split for metrics.json.

classification: accuracy, balanced accuracy, per-class precision/recall/F1, confusion matrix.
probabilistic: log-loss, Brier, expected calibration error and its bins.
ranking: ROC and precision-recall curves, ROC-AUC, average precision.
"""

from .coefficient_table import coefficients
from .probabilistic import ECE_BINS, calibration_bins, expected_calibration_error
from .ranking import (binary_average_precision, binary_roc_auc, precision_recall_curve,
                      roc_area, roc_curve, step_area)
from .split_metrics import evaluate, probability_metrics

__all__ = ["ECE_BINS", "binary_average_precision", "binary_roc_auc", "calibration_bins",
           "coefficients", "evaluate", "expected_calibration_error", "precision_recall_curve",
           "probability_metrics", "roc_area", "roc_curve", "step_area"]
