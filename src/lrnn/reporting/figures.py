"""The figures of a run's training and its classes: learning curves, confusion matrices,
coefficients (drawn as canvas.py says)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .canvas import figures, save_figure


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
    ax.set_title(title)
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
