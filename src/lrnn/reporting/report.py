"""report.html: one self-contained page per run (settings, data, metrics, every plot, timings,
versions), made only from the files in the run directory, so `lrnn report RUN` rebuilds the
same page later."""

from __future__ import annotations

from html import escape as _esc
from pathlib import Path

from .._version import __version__
from ..artifacts import run_files
from ..artifacts.files import write_atomic
from .html import Markup, cell, image, number, page, section, table

FILENAME = "report.html"

# metrics.json "test" key -> (name shown, what it measures); also the order of the table.
SUMMARY_METRICS = {
    "accuracy": ("accuracy", "share of test rows predicted right"),
    "balanced_accuracy": ("balanced accuracy", "mean recall over the classes"),
    "loss": ("loss", "the training loss (cross-entropy) on the test split"),
    "log_loss": ("log-loss", "scikit-learn's log_loss of the probabilities"),
    "brier": ("Brier score", "binary: mean (y - p)²; K classes: mean squared distance of the "
                             "probabilities to the one-hot label"),
    "roc_auc": ("ROC-AUC", "binary; K classes: one-vs-rest, macro average"),
    "average_precision": ("average precision", "area under the precision-recall curve "
                                               "(K classes: one-vs-rest, macro)"),
    "ece": ("expected calibration error", "top-class probability in equal-width bins: "
                                          "Σ share of rows × |accuracy − mean probability|"),
}
NAVIGATION = ('<p class="note">' + " · ".join(
    f'<a href="#{anchor}">{anchor.capitalize()}</a>'
    for anchor in ("metrics", "plots", "data", "training", "settings", "versions")) + "</p>")
CARDS = ("accuracy", "balanced_accuracy", "log_loss", "roc_auc", "ece")

# plots/<name>.png -> caption; known figures come in this order, any other PNG after them.
CAPTIONS = {
    "learning_curves": "Loss and accuracy per epoch on the training and validation splits; the "
                       "dashed line marks the best epoch (early stopping), dotted points the "
                       "test accuracy every --eval-every iterations.",
    "confusion_matrix": "Test confusion matrix: rows are the true classes, columns the "
                        "predicted ones.",
    "confusion_matrix_normalized": "Each row divided by its true class's count: the diagonal is "
                                   "each class's recall.",
    "roc_pr": "ROC and precision-recall curves on the test split.",
    "calibration": "Reliability diagram: how often predictions made with a given probability "
                   "are right, with the histogram of the probabilities below.",
    "sigmoid": "The model's score (logit) for each test row against the sigmoid that turns it "
               "into a probability; crosses are misclassified rows.",
    "mistakes": "The test images the model got wrong with the highest confidence.",
    "weights": "Each class's weights drawn as an image: red pixels raise the class's score, "
               "blue ones lower it.",
    "coefficients": "The largest coefficients of the logistic regression by feature name.",
}


def write(run_dir: Path, info: dict | None = None, name: str | None = None,
          scored: dict | None = None) -> Path:
    """Build report.html from the run's files and write it into the run directory. While a
    run is being saved, `info` is its model.json (not written yet) and `name` its final
    folder name (it is still in a staging folder). `scored`: {"test": metrics, "scored_on":
    what} from `lrnn report --data`, shown instead of metrics.json's test metrics."""
    run = run_files.read(run_dir, info, name, scored)
    path = Path(run_dir) / FILENAME
    write_atomic(path, render(run))
    return path


def render(run: run_files.RunFiles) -> str:
    test = run.metrics.get("test", {})
    model = run.settings.get("model") or run.settings.get("estimator", "?")
    title = f"{model} on {run.info.get('dataset', '?')}"
    body = [f"<h1>{_esc(title)}</h1>", _subtitle(run), NAVIGATION, _cards(test),
            section("Test metrics", _metrics_tables(test), "metrics"),
            section("Plots", _figures(run.plots), "plots"),
            section("Data", _data(run.metrics.get("data"), test.get("classes", []))
                    + _column_typing(run.info.get("column_typing")), "data"),
            section("Training", _training(run), "training"),
            section("Settings", _settings(run.settings), "settings"),
            section("Versions", _versions(run), "versions"),
            f'<p class="note">Written by lrnn {__version__}; rebuild it with '
            f"<code>lrnn report {run.name}</code>.</p>"]
    return page(f"lrnn: {title} ({run.name})", "\n".join(body))


def _subtitle(run: run_files.RunFiles) -> str:
    info = run.info
    classes = info.get("classes", [])
    parts = [run.name, info.get("created", ""), f"{info.get('task', '')}, {len(classes)} classes"]
    if "scored_on" in run.metrics:
        parts.append(f"test metrics: {run.metrics['scored_on']}")
    if "threshold" in run.metrics.get("test", {}):
        parts.append(f"threshold {run.metrics['test']['threshold']:g}")
    return f'<p class="subtitle">{" · ".join(_esc(str(p)) for p in parts if p)}</p>'


def _cards(test: dict) -> str:
    cards = "".join(f'<div class="card"><div class="value">{_esc(number(test[key]))}</div>'
                    f'<div class="name">{_esc(SUMMARY_METRICS[key][0])}</div></div>'
                    for key in CARDS if key in test)
    return f'<div class="cards">{cards}</div>'


def _metrics_tables(test: dict) -> str:
    if not test:
        return ('<p class="note">No test metrics: <code>lrnn report RUN --data FILE --target '
                'COLUMN</code> scores the model on a labelled file and shows them.</p>')
    rows = [(name, test[key], meaning) for key, (name, meaning) in SUMMARY_METRICS.items()
            if key in test]
    for average in ("macro", "weighted"):
        for score in ("precision", "recall", "f1"):
            if average in test:
                rows.append((f"{score} ({average})", test[average][score],
                             f"per-class {score}, {average} average"))
    per_class = [(name, m["precision"], m["recall"], m["f1"], m["support"])
                 for name, m in test.get("per_class", {}).items()]
    return (f"<p>{test.get('n', 0):,} test rows.</p>"
            + table(("metric", "value", "what it measures"), rows)
            + "<h3>Per class</h3>"
            + table(("class", "precision", "recall", "F1", "support"), per_class))


def _figures(paths: list[Path]) -> str:
    order = list(CAPTIONS)
    paths = sorted(paths, key=lambda p: (order.index(p.stem) if p.stem in order else len(order),
                                         p.name))
    if not paths:
        return ('<p class="note">No plots in plots/ (a run trained with --no-plots draws '
                'none).</p>')
    return "".join(image(run_files.read_plot(p), alt=p.stem,
                         caption=f"{p.name}: {CAPTIONS.get(p.stem, '')}".rstrip(": "))
                   for p in paths)


def _data(data: dict | None, classes: list[str]) -> str:
    if not data:
        return '<p class="note">This run did not record its data summary.</p>'
    rows, counts = data["rows"], data["class_counts"]
    intro = (f"<p>{_esc(data['source'])}; {_esc(data['input'])} input, "
             f"{data['n_features']:,} features.</p>")
    split_rows = [(name, n) for name, n in rows.items()] + [("all", sum(rows.values()))]
    balance = [[name] + [cell(Markup(_count_share(counts[split][k], rows[split])))
                         for split in counts]
               for k, name in enumerate(classes)]
    return (intro + table(("split", "rows"), split_rows) + "<h3>Class balance</h3>"
            + table(["class"] + list(counts), balance))


def _column_typing(typing: list | None) -> str:
    """How each column of a table was read: number, category, dropped (and why)."""
    if not typing:
        return ""
    rows = [(c["column"], c["type"], c["why"]) for c in typing]
    return ("<h3>Columns</h3><p>How lrnn typed each column of the file (README, \"How columns "
            "are typed\"); --numeric, --categorical and --drop override it.</p>"
            + table(("column", "type", "why"), rows))


def _count_share(count: int, total: int) -> str:
    return f"{count:,} ({count / total:.1%})" if total else "0"


def _training(run: run_files.RunFiles) -> str:
    ended = run.metrics.get("training", {})
    last = run.epochs[-1] if run.epochs else {}
    facts = [(name, ended.get(key)) for key, name in (
        ("epochs", "epochs (lbfgs: iterations)"), ("steps", "optimizer steps"),
        ("best_epoch", "best epoch (early stopping)"), ("stopped_early", "stopped early"),
        ("converged", "lbfgs converged"))]
    facts += [(f"last epoch: {column.replace('_', ' ')}", last.get(column))
              for column in ("train_loss", "train_accuracy", "val_loss", "val_accuracy")]
    timings = [(phase.removesuffix("_s"), cell(seconds, digits=2))
               for phase, seconds in run.metrics.get("timings", {}).items()]
    return (table(("", "value"), facts) + "<h3>Timings (seconds)</h3>"
            + table(("phase", "seconds"), timings))


def _settings(settings: dict) -> str:
    """Values as written in config.toml (1e-4 stays 0.0001, not a rounded metric)."""
    def text(value) -> str:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    return table(("setting", "value"), [(k, text(v)) for k, v in sorted(settings.items())])


def _versions(run: run_files.RunFiles) -> str:
    env = run.metrics.get("environment", {})
    rows = [("format version", run.info.get("format_version"))]
    rows += [(name, version) for name, version in env.get("versions", {}).items()]
    rows += [(key, env.get(key)) for key in ("python", "platform", "cpu_count", "device")
             if key in env]
    if "processes" in env:
        rows.append(("processes (data-parallel, torchrun)", env["processes"]))
    if not env:  # a run saved before the environment was recorded
        rows += [("lrnn", run.info.get("lrnn_version")), ("torch", run.info.get("torch_version"))]
    return table(("", "version"), rows)
