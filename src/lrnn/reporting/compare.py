"""`lrnn compare RUN1 RUN2 ...`: one self-contained page with the runs' test metrics side by
side, the settings that differ, and their learning curves overlaid."""

from __future__ import annotations

import io
import math
import os
from pathlib import Path

from .._version import __version__
from ..artifacts import run_files
from ..artifacts.files import check_output_file, write_atomic
from ..artifacts.run_files import RunFiles
from ..errors import InputError
from .html import cell, image, page, section, table
from .report import SUMMARY_METRICS

# (row name, path into metrics.json, True when larger is better)
ROWS = [(name, ("test", key), key not in ("loss", "log_loss", "brier", "ece"))
        for key, (name, _) in SUMMARY_METRICS.items()]
ROWS += [(f"F1 ({average})", ("test", average, "f1"), True) for average in ("macro", "weighted")]
ROWS += [("train seconds", ("timings", "train_s"), False),
         ("epochs (lbfgs: iterations)", ("training", "epochs"), None)]


def write_comparison(run_dirs: list[str], output: Path, force: bool = False) -> int:
    """Write the page comparing `run_dirs` to `output`; the number of runs compared."""
    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"-o {output}: expected a file name ending in .html")
    check_output_file(output, run_dirs, force, kind="HTML")
    # runs are named by their folders; by the paths given when two folders share a name
    names = [Path(os.path.realpath(run)).name for run in run_dirs]
    if len(set(names)) < len(names):
        names = list(run_dirs)
    runs = [run_files.read(run, name=name) for run, name in zip(run_dirs, names)]
    write_atomic(output, render(runs))
    return len(runs)


def render(runs: list[RunFiles]) -> str:
    names = [run.name for run in runs]
    body = [f"<h1>Comparing {len(runs)} runs</h1>",
            section("Test metrics", _metrics(runs), "metrics"),
            section("Learning curves", image(curves_png(runs), "learning curves overlaid",
                                             "Solid: validation; dashed: training. Right: "
                                             "validation accuracy against training time."),
                    "curves"),
            section("Settings that differ", _settings(runs), "settings"),
            f'<p class="note">Written by lrnn {__version__}.</p>']
    return page("lrnn: " + " vs ".join(names), "\n".join(body))


def _lookup(metrics: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(metrics, dict) or key not in metrics:
            return None
        metrics = metrics[key]
    return metrics


def _metrics(runs: list[RunFiles]) -> str:
    rows = []
    for name, path, larger_is_better in ROWS:
        values = [_lookup(run.metrics, path) for run in runs]
        known = [v for v in values if isinstance(v, (int, float))]
        if not known:
            continue
        best = None
        if larger_is_better is not None and len(runs) > 1:
            best = max(known) if larger_is_better else min(known)
        rows.append([name] + [cell(v, "best" if v is not None and v == best else "")
                              for v in values])
    return (table(["metric"] + [run.name for run in runs], rows)
            + '<p class="note">Best value of each row in bold.</p>')


def _settings(runs: list[RunFiles]) -> str:
    keys = sorted(set().union(*(run.settings for run in runs)))
    differing = [k for k in keys if len({repr(run.settings.get(k)) for run in runs}) > 1]
    if not differing:
        return "<p>All settings are the same.</p>"
    return table(["setting"] + [run.name for run in runs],
                 [[k] + [str(run.settings.get(k, "—")) for run in runs]
                  for k in differing])


def curves_png(runs: list[RunFiles]) -> bytes:
    """Loss and accuracy per epoch (validation solid, training dashed), and the validation
    accuracy against seconds of training, one colour per run."""
    from .canvas import figures

    plt = figures()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    colors = plt.get_cmap("tab10")
    for i, run in enumerate(runs):
        color = colors(i % colors.N)
        epoch = [row["epoch"] for row in run.epochs]
        for ax, key in zip(axes[:2], ("loss", "accuracy")):
            ax.plot(epoch, [row[f"train_{key}"] for row in run.epochs], "--", color=color,
                    alpha=0.7)
            ax.plot(epoch, [row[f"val_{key}"] for row in run.epochs], "-", marker=".",
                    color=color, label=run.name)
        val = [row["val_accuracy"] for row in run.epochs]
        if not all(math.isnan(v) for v in val):
            axes[2].plot([row["time_s"] for row in run.epochs], val, "-", marker=".",
                         color=color, label=run.name)
    for ax, (xlabel, ylabel) in zip(axes, (("epoch", "loss"), ("epoch", "accuracy"),
                                           ("seconds of training", "validation accuracy"))):
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()
