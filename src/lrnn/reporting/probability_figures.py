"""Figures of the test probabilities: ROC and precision-recall curves, and the reliability
diagram. Binary models draw the positive class; K classes draw one curve per class, one
against the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..evaluation import (ECE_BINS, calibration_bins, expected_calibration_error,
                          precision_recall_curve, roc_area, roc_curve, step_area)
from .canvas import FIXED_TITLE, figures, save_figure

MAX_LEGEND_CLASSES = 12  # more entries than this make the legend unreadable
# Slices of the x axis in which a drawn ROC or precision-recall curve keeps its envelope: a
# ~430-pixel wide axes shows no more. A curve has a point per distinct score (10,000 per MNIST
# class, 34,000 for a 200,000-row table), and drawing them took a third of the figure's time.
CURVE_SLICES = 300
# Rows drawn on the sigmoid at most (chosen at random, seeded): 200,000 points took 0.2 s to
# draw and make one solid band; the counts in the legend are of every row.
SIGMOID_POINTS = 5_000


def _one_vs_rest(y: np.ndarray, probs: np.ndarray, classes: list[str]):
    """(name, is-this-class [N], score [N]) per curve to draw; a class that is all or none
    of the test rows has no curve."""
    if len(classes) == 2:
        curves = [(classes[1], y == 1, probs[:, 1])]
    else:
        curves = [(name, y == k, probs[:, k]) for k, name in enumerate(classes)]
    return [curve for curve in curves if 0 < curve[1].sum() < len(y)]


def roc_and_precision_recall(y: np.ndarray, probs: np.ndarray, classes: list[str], title: str,
                             path: Path) -> None:
    plt = figures()
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(11, 4.8))
    curves = _one_vs_rest(y, probs, classes)
    colors = plt.get_cmap("tab10" if len(curves) <= 10 else "tab20")
    for i, (name, positive, score) in enumerate(curves):
        color = colors(i % colors.N)
        fpr, tpr, _ = roc_curve(positive, score)
        precision, recall, _ = precision_recall_curve(positive, score)
        roc, pr = envelope(fpr, tpr), envelope(recall, precision)
        ax_roc.plot(fpr[roc], tpr[roc], color=color, lw=1.4,
                    label=f"{name} (AUC {roc_area(fpr, tpr):.3f})")
        ax_pr.step(recall[pr], precision[pr], where="post", color=color, lw=1.4,
                   label=f"{name} (AP {step_area(precision, recall):.3f})")
    ax_roc.plot([0, 1], [0, 1], color="grey", linestyle=":", label="chance")
    if len(curves) == 1:  # the precision a random ranking gets: the positive share
        ax_pr.axhline(curves[0][1].mean(), color="grey", linestyle=":", label="chance")
    _label(ax_roc, "false positive rate", "true positive rate (recall)", "ROC")
    _label(ax_pr, "recall", "precision", "precision-recall")
    if len(curves) <= MAX_LEGEND_CLASSES:
        ax_roc.legend(fontsize=8, loc="lower right")
        if ax_pr.get_legend_handles_labels()[0]:  # no curve when no class has test rows
            ax_pr.legend(fontsize=8, loc="lower left")
    kind = f"positive class {classes[1]}" if len(classes) == 2 else "each class vs the rest"
    fig.suptitle(f"{title} ({kind})")
    save_figure(fig, path)
    plt.close(fig)


def envelope(x: np.ndarray, y: np.ndarray, slices: int = CURVE_SLICES) -> np.ndarray:
    """Indices of the points of a curve worth drawing (x monotone, in [0, 1]): in each of
    `slices` equal slices of x, the first and last point and those of lowest and highest y,
    so that the drawn line or steps cover the same ground at the figure's size."""
    n = len(x)
    if n <= 4 * slices:
        return np.arange(n)
    where = np.clip((x * slices).astype(np.int64), 0, slices - 1)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(where)) + 1])
    ends = np.concatenate([starts[1:] - 1, [n - 1]])
    keep = [starts, ends]
    slice_of = np.repeat(np.arange(len(starts)), ends - starts + 1)
    for extreme in (np.minimum, np.maximum):
        hit = np.flatnonzero(y == extreme.reduceat(y, starts)[slice_of])
        keep.append(hit[np.unique(slice_of[hit], return_index=True)[1]])  # first in its slice
    # sorted and deduplicated by hand: np.unique without return_* imports numpy.ma the first
    # time (~7 ms of a drawing process)
    points = np.sort(np.concatenate(keep))
    return points[np.concatenate([[True], points[1:] != points[:-1]])]


def _label(ax, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, y=FIXED_TITLE)
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.grid(alpha=0.3)


def calibration(y: np.ndarray, probs: np.ndarray, classes: list[str], title: str,
                path: Path) -> None:
    """Reliability diagram over ECE_BINS equal-width bins, with the histogram of the
    probabilities below. Binary: P(positive class) against the observed share of positives;
    K classes: the top-class probability against the accuracy, as the ECE in metrics.json."""
    if len(classes) == 2:
        score, hit = probs[:, 1], y == 1
        xlabel, ylabel = f"predicted P({classes[1]})", f"observed share of {classes[1]}"
    else:
        score, hit = probs.max(axis=1), probs.argmax(axis=1) == y
        xlabel, ylabel = "top-class probability (confidence)", "accuracy"
    count, mean_score, mean_hit = calibration_bins(score, hit)
    plt = figures()
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, (ax, ax_hist) = plt.subplots(2, 1, figsize=(6, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.2]})
    edges = np.linspace(0, 1, ECE_BINS + 1)
    filled = count > 0
    ax.bar(edges[:-1][filled], mean_hit[filled], width=1 / ECE_BINS, align="edge",
           color="tab:blue", alpha=0.75, edgecolor="white", label=ylabel)
    ax.plot(mean_score[filled], mean_hit[filled], "o-", color="tab:orange", ms=4,
            label="bin mean")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.01)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ece = expected_calibration_error(probs, y)
    ax.set_title(f"{title}\nexpected calibration error {ece:.4f} ({ECE_BINS} bins)",
                 y=FIXED_TITLE)
    ax_hist.hist(score, bins=edges, color="tab:grey", edgecolor="white")
    ax_hist.set_yscale("log")
    # counts as plain numbers: the default 10^k labels go through mathtext (~10 ms a figure)
    ax_hist.yaxis.set_major_formatter(FuncFormatter(lambda count, _: f"{count:,.0f}"))
    ax_hist.yaxis.set_minor_formatter(NullFormatter())
    ax_hist.set_xlabel(xlabel)
    ax_hist.set_ylabel("test rows")
    ax_hist.set_xlim(0, 1)
    save_figure(fig, path)
    plt.close(fig)


def sigmoid_of_score(y: np.ndarray, score: np.ndarray, classes: list[str], threshold: float,
                     title: str, path: Path) -> None:
    """The binary model's picture: P(positive) = sigmoid(score), where score is the model's one
    logit (logistic regression: w.x + b), with each test row laid at its true class's height
    (0 or 1, jittered) and the decision threshold marked."""
    plt = figures()
    fig, ax = plt.subplots(figsize=(8, 4.8))
    reach = max(float(np.abs(score).max()), 1.0) * 1.05
    z = np.linspace(-reach, reach, 400)
    ax.plot(z, 1 / (1 + np.exp(-z)), color="black", lw=2, label="sigmoid(score)")
    rng = np.random.default_rng(0)
    jitter = rng.uniform(-0.035, 0.035, len(y))
    drawn = np.zeros(len(y), dtype=bool)
    drawn[rng.permutation(len(y))[:SIGMOID_POINTS]] = True
    cut = float(np.log(threshold / (1 - threshold)))
    for k, color in ((0, "tab:red"), (1, "tab:blue")):
        rows = y == k
        wrong = rows & ((score >= cut) != (k == 1))
        right = rows & ~wrong & drawn
        ax.scatter(score[right], k + jitter[right], s=14, alpha=0.5, color=color,
                   label=f"true {classes[k]} ({rows.sum():,})")
        if wrong.any():
            ax.scatter(score[wrong & drawn], k + jitter[wrong & drawn], s=40, marker="x",
                       color=color, label=f"true {classes[k]}, misclassified ({wrong.sum():,})")
    ax.axvline(cut, color="grey", linestyle="--", label=f"threshold P = {threshold:g}")
    ax.axhline(threshold, color="grey", linestyle=":")
    ax.set_xlabel("model score (logit)")
    ax.set_ylabel(f"P({classes[1]})")
    ax.set_ylim(-0.08, 1.08)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    shown = f" ({SIGMOID_POINTS:,} of {len(y):,} rows drawn)" if len(y) > SIGMOID_POINTS else ""
    ax.set_title(title + shown)
    save_figure(fig, path)
    plt.close(fig)
