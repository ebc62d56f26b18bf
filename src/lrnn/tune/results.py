"""What a study leaves in DIR: best/ (the best trial trained again through `lrnn train`'s own
path, so it has the report and works with predict, export and serve; the only time the test
split is scored), trials.csv, study.html, and the summary with the command that reproduces
the best trial."""

from __future__ import annotations

import shlex
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from .study import locked
from ._lrnn import InputError, build_config, csv_text, resolve, train_run, write_atomic
from .objective import NOTE, SURPLUS, scored_on
from .space import Choice, Layers, Range, Space

BEST = "best"
TRIALS_CSV = "trials.csv"


def listed(study) -> list:
    """The trials a person cares about: all but the surplus ones that never ran."""
    return [t for t in study.get_trials(deepcopy=False) if not t.user_attrs.get(SURPLUS)]


def finished_count(study) -> int:
    return sum(1 for t in study.get_trials(deepcopy=False)
               if t.state.name in ("COMPLETE", "PRUNED"))


def default_params(space: Space, resolved) -> dict[str, Any]:
    """lrnn train's own values of the searched settings, where they lie in the space."""
    params = {}
    for p in space.searched:
        if isinstance(p, Layers):
            sizes = resolved.hidden_layer_sizes
            if p.layers.low <= len(sizes) <= p.layers.high and \
                    all(p.width.low <= w <= p.width.high for w in sizes):
                params["hidden_layers"] = len(sizes)
                params.update({f"hidden_width_{i}": w for i, w in enumerate(sizes, 1)})
            continue
        value = getattr(resolved, p.name)
        if p.name == "C" and value is None and resolved.alpha:
            value = 1.0 / resolved.alpha
        if isinstance(p, Choice):
            value = ",".join(map(str, value)) if isinstance(value, tuple) else value
            if value in p.choices:
                params[p.name] = value
        elif isinstance(p, Range) and value is not None and p.low <= value <= p.high and \
                (p.step is None or abs((value - p.low) / p.step - round((value - p.low) / p.step)) < 1e-9):
            params[p.name] = int(value) if p.integer else float(value)
    return params


def flag_text(name: str, value: Any) -> str:
    flag = "--" + name.replace("_", "-")
    if isinstance(value, bool):
        return flag if value else f"--no-{flag[2:]}"
    if isinstance(value, (list, tuple)):
        value = ",".join(map(str, value))
    elif isinstance(value, float):
        value = repr(value)  # every digit: the command trains exactly the same model
    elif value == "\t":
        value = "tab"
    return f"{flag} {shlex.quote(str(value))}"


def train_command(base_values: dict, settings: dict) -> str:
    merged = {**base_values, **settings}
    return " ".join(["lrnn train"] + [flag_text(k, v) for k, v in merged.items()
                                      if v is not None and k != "out"])


def write_trials_csv(study, space: Space, out: Path) -> Path:
    """Through artifacts' CSV writer, as every CSV lrnn writes (formulas escaped)."""
    metric = study.user_attrs.get("lrnn_metric", "value")
    names = list(space.names)
    header = ["trial", "state", metric, *names, "epochs", "train_seconds", "seconds", "started",
              "note"]
    rows = []
    for t in listed(study):
        settings = space.settings_of(t.params)
        seconds = (t.datetime_complete - t.datetime_start).total_seconds() \
            if t.datetime_complete and t.datetime_start else ""
        rows.append([t.number, t.state.name.lower(), "" if t.value is None else t.value,
                     *[settings.get(n, "") for n in names], t.user_attrs.get("epochs", ""),
                     t.user_attrs.get("train_seconds", ""),
                     round(seconds, 3) if seconds != "" else "",
                     t.datetime_start.isoformat(timespec="seconds") if t.datetime_start
                     else "", t.user_attrs.get(NOTE, "")])
    path = out / TRIALS_CSV
    write_atomic(path, csv_text(header, rows))
    return path


def rebuild_best(config, out: Path, n_train: int) -> dict:
    """DIR/best/ for `config`, unless it already holds exactly that run; its metrics.json."""
    import json

    best = out / BEST
    expected = {k: v for k, v in resolve(config, n_train).to_dict().items() if k != "out"}
    with locked(out, ".best.lock"):
        if not _holds(best, expected):
            stage = Path(tempfile.mkdtemp(prefix=".best-", dir=out))
            try:
                train_run(build_config({**config.to_dict(), "out": str(stage / BEST)}))
                if best.exists():
                    best.replace(stage / "previous")  # removed only once the new one exists
                (stage / BEST).replace(best)
            finally:
                shutil.rmtree(stage, ignore_errors=True)
        return json.loads((best / "metrics.json").read_text(encoding="utf-8"))


def _holds(best: Path, expected: dict) -> bool:
    try:
        saved = tomllib.loads((best / "config.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return (best / "model.json").exists() and saved == expected


def finish(study, space: Space, base_values: dict, metric: str, out: Path, prepared,
           refit: bool = True) -> int:
    from . import study_page
    from .refit import refit_settings
    from .study_figures import StudyFigures

    trials = listed(study)
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    if not complete:
        states = {s: sum(t.state.name == s for t in trials) for s in ("PRUNED", "FAIL")}
        raise InputError(f"no trial completed ({states['PRUNED']} pruned, {states['FAIL']} "
                         f"failed); widen the space or use --pruner none")
    best = study.best_trial
    settings = space.settings_of(best.params)
    n_rows = len(prepared.train)
    if refit:  # best/ learns from the validation rows too (refit.py)
        n_trial, n_rows = n_rows, n_rows + len(prepared.val)
        settings = {**settings, **refit_settings(base_values, settings, best.user_attrs,
                                                 n_trial, n_rows)}
    config = build_config({**base_values, **settings})
    drawing = StudyFigures(trials, study.user_attrs.get("lrnn_metric", "value"),
                           study.direction.name.lower(), study_page.param_importances(study))
    try:  # the study's figures are drawn by a figure worker while best/ trains
        metrics = rebuild_best(config, out, n_rows)
        figures = study_page.figure_sections(drawing.pngs())
    finally:
        drawing.close()
    command = train_command(base_values, settings)
    write_trials_csv(study, space, out)
    page = study_page.write(out, f"{config.model} on {config.source_name}", study, trials,
                            space, best, metrics, command, BEST, figures)
    _print_summary(trials, best, settings, metric, metrics["test"], command, out, page)
    return 0


def _print_summary(trials, best, settings: dict, metric: str, test: dict, command: str,
                   out: Path, page: Path) -> None:
    counts = {s: sum(t.state.name == s for t in trials) for s in ("COMPLETE", "PRUNED", "FAIL")}
    print(f"best of {counts['COMPLETE'] + counts['PRUNED']} trials ({counts['PRUNED']} pruned"
          f"{', ' + str(counts['FAIL']) + ' failed' if counts['FAIL'] else ''}): trial "
          f"{best.number}, {scored_on(best)} {metric} {best.value:.4f}")
    print("  " + "  ".join(f"{k}={v}" for k, v in settings.items() if v is not None))
    rows = "training and validation rows" if settings.get("val_fraction") == 0 else \
        "training rows"
    print(f"test accuracy {test['accuracy']:.2%}  loss {test['loss']:.4f}  (best/, trained on "
          f"the {rows}; the test split scored once)")
    print(f"reproduce: {command}")
    print(f"wrote {out / BEST}, {out / TRIALS_CSV}, {page}")
