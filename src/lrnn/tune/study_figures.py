"""The figures of study.html, as PNG bytes: the optimization history with the best-so-far
line, the parameter importances, and one slice per searched parameter (its values against
the trials' scores)."""

from __future__ import annotations

import math

from ._lrnn import figures, png_bytes

DPI = 110


def _png(fig) -> bytes:
    """Drawn once and cropped to the drawing (reporting/canvas.py), as savefig's tight box
    would crop it but without its second drawing."""
    return png_bytes(fig, DPI)


def history(trials, metric: str, direction: str) -> bytes:
    """Each complete trial's value by trial number, the best so far as a step line, and the
    pruned trials as ticks along the bottom."""
    plt, _ = figures()
    fig, ax = plt.subplots(figsize=(9, 4))
    complete = sorted((t for t in trials if t.state.name == "COMPLETE"), key=lambda t: t.number)
    x = [t.number for t in complete]
    y = [t.value for t in complete]
    ax.scatter(x, y, s=22, color="#3b75af", label="complete trial", zorder=3)
    pick = min if direction == "minimize" else max
    best = [pick(y[:i + 1]) for i in range(len(y))]
    ax.step(x, best, where="post", color="#d1495b", linewidth=2, label="best so far")
    pruned = [t.number for t in trials if t.state.name == "PRUNED"]
    if pruned:
        ax.plot(pruned, [0.02] * len(pruned), "|", color="grey", markersize=12,
                transform=ax.get_xaxis_transform(), label="pruned trial")
    ax.set_xlabel("trial")
    ax.set_ylabel(f"validation {metric}")
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    ax.set_title("Optimization history")
    return _png(fig)


def importances(values: dict[str, float]) -> bytes:
    plt, _ = figures()
    names = list(values)[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(names) + 1.2))
    ax.barh(names, [values[n] for n in names], color="#3b75af")
    ax.set_xlabel("importance (PED-ANOVA: how the best trials' values differ)")
    ax.set_xlim(0, 1)
    ax.grid(alpha=0.3, axis="x")
    ax.set_title("Parameter importances")
    return _png(fig)


def slices(trials, metric: str) -> bytes | None:
    """One panel per parameter: its value in each complete trial against the trial's score,
    coloured by trial number (later trials darker)."""
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    names = sorted({name for t in complete for name in t.params},
                   key=lambda n: min(list(t.params).index(n) for t in complete if n in t.params))
    if not names:
        return None
    plt, _ = figures()
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    last = max(t.number for t in complete)
    for ax, name in zip(axes.flat, names):
        having = [t for t in complete if name in t.params]
        dist = having[0].distributions[name]
        values = [t.params[name] for t in having]
        if hasattr(dist, "choices"):
            labels = [str(c) for c in dist.choices]
            ax.set_xticks(range(len(labels)), labels, rotation=30 if len(labels) > 4 else 0)
            values = [list(dist.choices).index(v) for v in values]
        elif getattr(dist, "log", False):
            from matplotlib.ticker import NullFormatter

            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # minor labels overlap
        elif isinstance(values[0], int):
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.scatter(values, [t.value for t in having], c=[t.number for t in having],
                   cmap="viridis_r", vmin=0, vmax=max(last, 1), s=20)
        ax.set_xlabel(name)
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Slices: each parameter against the validation score")
    return _png(fig)
