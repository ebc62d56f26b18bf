"""The figures of a run's training and its classes: learning curves, confusion matrices,
coefficients; and those of a tuning study's page (tune/study_page.py), from plain numbers so
that the figure worker can draw them: the optimization history, the parameter importances
and one slice per searched parameter (all drawn as canvas.py says)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .canvas import FIXED_TITLE, figures, save_figure


def learning_curves(epochs: list[dict], evals: list[dict], best_epoch: int | None,
                    title: str, path: Path) -> None:
    """Loss and accuracy per epoch (train and validation), plus the --eval-every test points."""
    plt = figures()
    from matplotlib.ticker import MaxNLocator

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    x = [row["epoch"] for row in epochs]
    for key, ax in (("loss", ax_loss), ("accuracy", ax_acc)):
        ax.plot(x, [row[f"train_{key}"] for row in epochs], marker=".", label="train")
        val = [row[f"val_{key}"] for row in epochs]
        if not all(np.isnan(val)):
            ax.plot(x, val, marker=".", label="validation")
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", linestyle="--", label=f"best epoch {best_epoch}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no epoch 2.5
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
    if evals:
        steps_per_epoch = epochs[0]["step"] / max(epochs[0]["epoch"], 1)
        ax_acc.plot([e["step"] / steps_per_epoch for e in evals],
                    [e["test_accuracy"] for e in evals], marker="o", linestyle=":",
                    label="test (every N iterations)")
    ax_loss.set_title("loss")
    ax_acc.set_title("accuracy")
    # fixed corners (loss falls, accuracy rises): loc="best" tries every place against every
    # point of every line
    ax_loss.legend(loc="upper right")
    ax_acc.legend(loc="lower right")
    fig.suptitle(title)
    save_figure(fig, path)
    plt.close(fig)


def confusion_matrix(matrix: list[list[int]], classes: list[str], title: str, path: Path,
                     normalize: bool = False) -> None:
    """Counts, or with `normalize` each true class's row as shares (its recall on the diagonal)."""
    plt = figures()
    cm = np.asarray(matrix, dtype=np.float64 if normalize else np.int64)
    if normalize:
        cm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    k = len(classes)
    size = min(4 + 0.45 * k, 14)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    image = ax.imshow(cm, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    fig.colorbar(image, ax=ax, fraction=0.046)
    long_names = max(len(c) for c in classes) > 3
    ax.set_xticks(range(k), classes, rotation=45 if long_names else 0,
                  ha="right" if long_names else "center")
    ax.set_yticks(range(k), classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 20:
        threshold = cm.max() / 2 if cm.size else 0
        for (i, j), value in np.ndenumerate(cm):
            ax.text(j, i, f"{value:.2f}" if normalize else str(value), ha="center",
                    va="center", fontsize=8, color="white" if value > threshold else "black")
    ax.set_title(title, y=FIXED_TITLE)
    save_figure(fig, path)
    plt.close(fig)


def coefficients(table: dict, title: str, path: Path, top: int = 20) -> None:
    """The largest logistic-regression coefficients by feature name: signed bars for one
    class, a class-by-feature heatmap for several."""
    plt = figures()
    by_class = table["by_class"]
    classes = list(by_class)
    features = list(next(iter(by_class.values())))
    W = np.array([[by_class[c][f] for f in features] for c in classes])  # [classes, features]
    order = np.argsort(-np.abs(W).max(axis=0))[:top]
    names = [features[i] for i in order]
    height = 1.5 + 0.32 * len(names)
    if len(classes) == 1:
        fig, ax = plt.subplots(figsize=(8, height))
        values = W[0, order][::-1]
        ax.barh(names[::-1], values, color=np.where(values >= 0, "tab:blue", "tab:red"))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlabel(f"coefficient (log-odds of '{classes[0]}')")
    else:
        fig, ax = plt.subplots(figsize=(2.5 + 0.6 * len(classes), height))
        limit = np.abs(W[:, order]).max() or 1.0
        image = ax.imshow(W[:, order].T, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
        ax.set_xticks(range(len(classes)), classes, rotation=45, ha="right")
        ax.set_yticks(range(len(names)), names)
        fig.colorbar(image, ax=ax, label="coefficient")
    ax.set_title(title)
    save_figure(fig, path)
    plt.close(fig)


# --- a tuning study's page ---------------------------------------------------------------


def study_history(numbers: list[int], values: list[float], pruned: list[int], metric: str,
                  direction: str, path: Path) -> None:
    """Each complete trial's value by trial number (`numbers`, `values`, in trial order), the
    best so far as a step line, and the `pruned` trials as ticks along the bottom."""
    plt = figures()
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.scatter(numbers, values, s=22, color="#3b75af", label="complete trial", zorder=3)
    pick = min if direction == "minimize" else max
    best = [pick(values[:i + 1]) for i in range(len(values))]
    ax.step(numbers, best, where="post", color="#d1495b", linewidth=2, label="best so far")
    if pruned:
        ax.plot(pruned, [0.02] * len(pruned), "|", color="grey", markersize=12,
                transform=ax.get_xaxis_transform(), label="pruned trial")
    ax.set_xlabel("trial")
    ax.set_ylabel(f"validation {metric}")
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    ax.set_title("Optimization history")
    save_figure(fig, path)


def study_importances(values: dict[str, float], path: Path) -> None:
    plt = figures()
    names = list(values)[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    ax.barh(names, [values[n] for n in names], color="#3b75af")
    ax.set_xlabel("importance (PED-ANOVA: how the best trials' values differ)")
    ax.set_xlim(0, 1)
    ax.grid(alpha=0.3, axis="x")
    ax.set_title("Parameter importances")
    save_figure(fig, path)


def study_slices(panels: list[dict], last: int, metric: str, path: Path) -> None:
    """One panel per parameter: {"name", "values", "scores", "numbers", "scale"} with scale
    "choices" (then "choices" too: the values are their indices), "log", "int" or "linear";
    points coloured by trial number (later trials darker, `last` the latest)."""
    plt = figures()
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax, panel in zip(axes.flat, panels):
        _scale(ax, panel)
        ax.scatter(panel["values"], panel["scores"], c=panel["numbers"], cmap="viridis_r",
                   vmin=0, vmax=max(last, 1), s=20)
        ax.set_xlabel(panel["name"])
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle("Slices: each parameter against the validation score")
    save_figure(fig, path)


def _scale(ax, panel: dict) -> None:
    if panel["scale"] == "choices":
        labels = panel["choices"]
        ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 4 else 0)
    elif panel["scale"] == "log":
        from matplotlib.ticker import NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels overlap
    elif panel["scale"] == "int":
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
