"""Figures for image datasets: the test images the model got most confidently wrong, and a
logistic regression's weights drawn as images (one template per class)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .canvas import FIXED_TITLE, figures, save_figure

GRID_ROWS, GRID_COLS = 4, 8


def most_confident_mistakes(y: np.ndarray, predicted: np.ndarray, probs: np.ndarray,
                            limit: int = GRID_ROWS * GRID_COLS) -> np.ndarray:
    """Indices of misclassified rows, highest probability of the predicted class first."""
    wrong = np.flatnonzero(predicted != y)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:limit]


def mistakes_grid(images: np.ndarray, y: np.ndarray, predicted: np.ndarray, probs: np.ndarray,
                  classes: list[str], title: str, path: Path) -> None:
    """images: uint8 [N, rows, cols]. Each tile: predicted label (probability) over true label."""
    chosen = most_confident_mistakes(y, predicted, probs)
    mistake_tiles(images[chosen], predicted[chosen], y[chosen], probs[chosen, predicted[chosen]],
                  int((predicted != y).sum()), len(y), classes, title, path)


def mistake_tiles(images: np.ndarray, predicted: np.ndarray, true: np.ndarray,
                  confidence: np.ndarray, n_wrong: int, n_rows: int, classes: list[str],
                  title: str, path: Path) -> None:
    """The chosen mistakes (at most GRID_ROWS x GRID_COLS, uint8 [n, rows, cols]) of `n_wrong`
    among `n_rows` test images, with their predicted and true classes and the predicted class's
    probability.

    The tiles are pasted into one canvas drawn with a single imshow: 32 small axes take
    several times longer to render."""
    plt = figures()
    rows, cols = images.shape[1:]
    pad_top, pad = rows // 2 + 6, 4  # room for two lines of text above each tile
    cell_h, cell_w = rows + pad_top, cols + pad
    # light grey between tiles, so each image's white background shows its edges
    canvas = np.full((GRID_ROWS * cell_h, GRID_COLS * cell_w), 16, dtype=np.uint8)
    fig, ax = plt.subplots(figsize=(GRID_COLS * 1.6, GRID_ROWS * 1.95))
    for n, (image, label, truth, p) in enumerate(zip(images, predicted, true, confidence)):
        top, left = (n // GRID_COLS) * cell_h + pad_top, (n % GRID_COLS) * cell_w
        canvas[top:top + rows, left:left + cols] = image
        ax.text(left + cols / 2, top - 1, f"pred {classes[label]} {p:.1%}\ntrue {classes[truth]}",
                ha="center", va="bottom", fontsize=8.5, color="tab:red")
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=255, interpolation="nearest")
    ax.axis("off")
    shown = f"the {len(images)} most confident of {n_wrong:,}" if n_wrong else "none"
    ax.set_title(f"{title}: test mistakes ({shown} of {n_rows:,} test images)", y=FIXED_TITLE)
    save_figure(fig, path)
    plt.close(fig)


def class_templates(weight: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A logistic regression's weight matrix [outputs, rows*cols] as images [outputs, rows, cols].
    Binary models have one output: the template of the positive class against the negative."""
    return weight.reshape(weight.shape[0], *shape)  # [K, rows*cols] -> [K, rows, cols]


def weight_templates(weight: np.ndarray, shape: tuple[int, int], classes: list[str],
                     title: str, path: Path) -> None:
    """Red pixels raise the class's score, blue ones lower it; one colour scale for all.

    The templates are laid side by side in one image drawn with a single imshow, as the grid of
    mistakes: ten small axes took ~40 % more time to draw."""
    plt = figures()
    templates = class_templates(weight, shape)
    names = [f"{classes[1]} vs {classes[0]}"] if len(templates) == 1 else classes
    cols = min(len(templates), 5)
    n_rows = -(-len(templates) // cols)
    rows, width = shape
    pad_top, pad = max(rows // 4, 3), max(width // 7, 2)  # room for each name, gaps
    cell_h, cell_w = rows + pad_top, width + pad
    canvas = np.full((n_rows * cell_h, cols * cell_w - pad), np.nan)  # NaN: drawn white
    fig, ax = plt.subplots(figsize=(cols * 2.1, n_rows * 2.3))
    for n, (template, name) in enumerate(zip(templates, names)):
        top, left = (n // cols) * cell_h + pad_top, (n % cols) * cell_w
        canvas[top:top + rows, left:left + width] = template
        ax.text(left + width / 2, top - 1, name, ha="center", va="bottom", fontsize=10)
    reach = float(np.abs(templates).max()) or 1.0
    colormap = plt.get_cmap("RdBu_r").with_extremes(bad="white")
    image = ax.imshow(canvas, cmap=colormap, vmin=-reach, vmax=reach, interpolation="nearest")
    ax.axis("off")
    fig.colorbar(image, ax=ax, fraction=0.025, label="weight")
    fig.suptitle(f"{title}: weights of each class as an image")
    save_figure(fig, path)
    plt.close(fig)
