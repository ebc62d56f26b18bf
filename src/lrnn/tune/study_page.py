"""DIR/study.html: one self-contained page about a study (figures embedded as PNG data, no
script, no network): the best settings and the command reproducing them, the test metrics of
best/, the optimization history, the parameter importances, slices, and every trial."""

from __future__ import annotations

import warnings
from html import escape
from pathlib import Path

from ._lrnn import html_page, write_atomic
from .objective import scored_on
from .space import Space

FILENAME = "study.html"
TEST_METRICS = (("accuracy", "accuracy"), ("balanced_accuracy", "balanced accuracy"),
                ("loss", "loss (cross-entropy)"), ("roc_auc", "ROC-AUC"),
                ("ece", "expected calibration error"))


class _NoScikitLearn:
    """An import finder that refuses scikit-learn (raising in find_spec is an ImportError)."""

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "sklearn":
            raise ModuleNotFoundError(f"No module named {name!r} (not needed here)", name=name)
        return None


def _importance():
    """optuna.importance, imported without scikit-learn where it is not loaded yet: the module
    imports it (~1.4 s with scipy, on 2 cores) only for its fANOVA evaluator, and the page
    uses PED-ANOVA, which needs numpy alone. In this process fANOVA is then unavailable."""
    import sys

    if "optuna.importance" in sys.modules or "sklearn" in sys.modules:
        import optuna.importance

        return optuna.importance
    finder = _NoScikitLearn()
    sys.meta_path.insert(0, finder)
    try:
        import optuna.importance
    finally:
        sys.meta_path.remove(finder)
    return optuna.importance


def param_importances(study) -> dict[str, float] | None:
    """PED-ANOVA importances over the complete trials (how much each parameter's values
    differ between the best trials and all of them; optuna's fast evaluator, milliseconds
    where fANOVA's random forest took ~0.5 s); None while too few trials say anything."""
    complete = [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
    if len(complete) < 3 or len({t.value for t in complete}) < 2:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning
            importance = _importance()
            return importance.get_param_importances(
                study, evaluator=importance.PedAnovaImportanceEvaluator())
    except (ValueError, RuntimeError):  # e.g. every trial with the same parameters
        return None


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def figure_sections(pngs: dict[str, bytes | None]) -> list[str]:
    """The page's sections of figures (history, importances, slices) from study_figures'
    PNGs."""
    _, section, _, image, _ = html_page()
    history, importances, slices = pngs["history"], pngs["importances"], pngs["slices"]
    return [section("Optimization history", image(history, alt="history", caption="Each "
                    "complete trial's validation score; the line is the best so far."),
                    "history"),
            section("Parameter importances", image(importances, alt="importances",
                    caption="How much each parameter's values in the best trials differ from "
                    "its values in all complete trials (PED-ANOVA; the shares add to 1).")
                    if importances else '<p class="note">Too few complete trials with '
                    'different scores to say.</p>', "importances"),
            section("Slices", image(slices, alt="slices", caption="Each parameter's value in "
                    "each complete trial against the trial's validation score (later trials "
                    "darker).") if slices else '<p class="note">No complete trial yet.</p>',
                    "slices")]


def write(out: Path, title: str, study, trials: list, space: Space, best, metrics: dict,
          command: str, best_dir: str, figures: list[str]) -> Path:
    """`trials`: those to show; `best_dir`: best/'s name in `out`, for the link; `figures`:
    figure_sections' sections."""
    page, section, table, image, number = html_page()
    metric = study.user_attrs.get("lrnn_metric", "value")
    direction = study.direction.name.lower()
    counts = {s: sum(t.state.name == s for t in trials) for s in ("COMPLETE", "PRUNED", "FAIL")}
    test = metrics.get("test", {})
    title = f"lrnn tune: {title}"
    cards = [(number(best.value), f"best {scored_on(best)} {metric} (trial {best.number})"),
             (number(test.get("accuracy")), "test accuracy of best/"),
             (str(counts["COMPLETE"]), "complete trials"), (str(counts["PRUNED"]), "pruned"),
             (str(counts["FAIL"]), "failed")]
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="subtitle">study {escape(study.study_name)} · {direction} '
            f"{scored_on(best)} {escape(metric)} · {len(trials)} trials</p>",
            '<div class="cards">' + "".join(
                f'<div class="card"><div class="value">{escape(v)}</div>'
                f'<div class="name">{escape(n)}</div></div>' for v, n in cards) + "</div>",
            section("Best settings", _best(space, best, command, table), "best"),
            section("Test metrics of best/",
                    table(("metric", "value"), [(name, test.get(key)) for key, name in
                                                TEST_METRICS if key in test])
                    + f'<p class="note">The best trial trained again as a normal run '
                      f'({_rows(metrics)}) and scored once on the test split: '
                      f'<a href="{best_dir}/report.html">{best_dir}/report.html</a>.</p>',
                    "test"),
            *figures,
            section("Trials", _trials(trials, space, metric, table), "trials")]
    path = out / FILENAME
    write_atomic(path, page(title, "\n".join(body)))
    return path


def _rows(metrics: dict) -> str:
    rows = metrics.get("data", {}).get("rows", {})
    if "validation" in rows:
        return f"on its {rows.get('train', 0):,} training rows, as in the search"
    return f"refit on {rows.get('train', 0):,} rows: the training and validation rows"


def _best(space: Space, best, command: str, table) -> str:
    settings = space.settings_of(best.params)
    rows = [(name, _text(value)) for name, value in settings.items()]
    return (table(("setting", "value"), rows) + '<p>Reproduce it:</p><pre style="white-space: '
            f'pre-wrap; word-break: break-all"><code>{escape(command)}</code></pre>')


def _trials(trials, space: Space, metric: str, table) -> str:
    rows = []
    for t in sorted(trials, key=lambda t: t.number):
        settings = space.settings_of(t.params)
        rows.append([t.number, t.state.name.lower(), t.value] +
                    [_text(settings.get(n, "")) for n in space.names] +
                    [t.user_attrs.get("epochs"), t.user_attrs.get("lrnn_note", "")])
    return table(["trial", "state", metric, *space.names, "epochs", "note"], rows)
