"""Figures for image datasets: the test images the model got most confidently wrong, and a
logistic regression's weights drawn as images (one template per class)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .figures import figures, save_figure

GRID_ROWS, GRID_COLS = 4, 8


def most_confident_mistakes(y: np.ndarray, predicted: np.ndarray, probs: np.ndarray,
                            limit: int = GRID_ROWS * GRID_COLS) -> np.ndarray:
    """Indices of misclassified rows, highest probability of the predicted class first."""
    wrong = np.flatnonzero(predicted != y)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:limit]


def mistakes_grid(images: np.ndarray, y: np.ndarray, predicted: np.ndarray, probs: np.ndarray,
                  classes: list[str], title: str, path: Path) -> None:
    """images: uint8 [N, rows, cols]. Each tile: predicted label (probability) over true label.

    The tiles are pasted into one canvas drawn with a single imshow: 32 small axes take
    several times longer to render."""
    plt = figures()
    chosen = most_confident_mistakes(y, predicted, probs)
    rows, cols = images.shape[1:]
    pad_top, pad = rows // 2 + 6, 4  # room for two lines of text above each tile
    cell_h, cell_w = rows + pad_top, cols + pad
    # light grey between tiles, so each image's white background shows its edges
    canvas = np.full((GRID_ROWS * cell_h, GRID_COLS * cell_w), 16, dtype=np.uint8)
    fig, ax = plt.subplots(figsize=(GRID_COLS * 1.6, GRID_ROWS * 1.95))
    for n, i in enumerate(chosen):
        top, left = (n // GRID_COLS) * cell_h + pad_top, (n % GRID_COLS) * cell_w
        canvas[top:top + rows, left:left + cols] = images[i]
        label = (f"pred {classes[predicted[i]]} {probs[i, predicted[i]]:.1%}\n"
                 f"true {classes[y[i]]}")
        ax.text(left + cols / 2, top - 1, label, ha="center", va="bottom", fontsize=8.5,
                color="tab:red")
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=255, interpolation="nearest")
    ax.axis("off")
    n_wrong = int((predicted != y).sum())
    shown = f"the {len(chosen)} most confident of {n_wrong:,}" if n_wrong else "none"
    ax.set_title(f"{title}: test mistakes ({shown} of {len(y):,} test images)")
    save_figure(fig, path)
    plt.close(fig)


def class_templates(weight: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A logistic regression's weight matrix [outputs, rows*cols] as images [outputs, rows, cols].
    Binary models have one output: the template of the positive class against the negative."""
    return weight.reshape(weight.shape[0], *shape)  # [K, rows*cols] -> [K, rows, cols]


def weight_templates(weight: np.ndarray, shape: tuple[int, int], classes: list[str],
                     title: str, path: Path) -> None:
    """Red pixels raise the class's score, blue ones lower it; one colour scale for all."""
    plt = figures()
    templates = class_templates(weight, shape)
    names = [f"{classes[1]} vs {classes[0]}"] if len(templates) == 1 else classes
    cols = min(len(templates), 5)
    n_rows = -(-len(templates) // cols)
    fig, axes = plt.subplots(n_rows, cols, figsize=(cols * 2.1, n_rows * 2.3), squeeze=False)
    reach = float(np.abs(templates).max()) or 1.0
    for ax in axes.flat:
        ax.axis("off")
    for ax, template, name in zip(axes.flat, templates, names):
        image = ax.imshow(template, cmap="RdBu_r", vmin=-reach, vmax=reach)
        ax.set_title(name, fontsize=10)
    fig.colorbar(image, ax=axes, fraction=0.025, label="weight")
    fig.suptitle(f"{title}: weights of each class as an image")
    save_figure(fig, path)
    plt.close(fig)
