"""The lifecycle in one function: run(config) loads, splits, preprocesses, builds, trains,
evaluates, draws and saves (DESIGN.md, "Data flow")."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import torch

from . import __version__, artifacts, data
from .config import RunConfig, check_combinations
from .device import choose_device, seed_everything, threads_for
from .models import architecture, build
from .predict import Predictor
from .preparation import prepare
from .preprocessing import Preprocessor
from .recipes import resolve
from .training import History, TrainData, Trainer

if TYPE_CHECKING:
    from .predictions_file import TestPredictions
    from .run_summary import Timings

HISTORY_COLUMNS = ("epoch", "step", "lr", "train_loss", "train_accuracy", "val_loss",
                   "val_accuracy", "test_loss", "test_accuracy", "time_s", "unix_time")
EVAL_COLUMNS = ("step", "epoch", "train_loss", "test_loss", "test_accuracy", "time_s")


@dataclass(frozen=True)
class Run:
    run_dir: Path
    config: RunConfig  # resolved: every setting filled
    metrics: dict[str, Any]
    history: History


def default_out(config: RunConfig) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{config.source_name}-{config.model}-{stamp}"
    out, n = Path("runs") / base, 2
    while out.exists():
        out, n = Path("runs") / f"{base}-{n}", n + 1
    return out


def warn_on_stderr(message: str) -> None:
    print(f"lrnn: warning: {message}", file=sys.stderr)


def balanced_weights(train: TrainData, n_classes: int) -> TrainData:
    """Rows weighted n / (n_classes * rows of their class), as scikit-learn's "balanced"."""
    counts = torch.bincount(train.y, minlength=n_classes).to(torch.float32)
    per_class = len(train) / (n_classes * counts.clamp(min=1))
    return TrainData(train.X, train.y, per_class[train.y])


def numpy_weights(model: torch.nn.Module) -> dict:
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def run(config: RunConfig, log: Callable[[str], None] = print,
        warn: Callable[[str], None] = warn_on_stderr) -> Run:
    from .run_summary import Timings

    timings = Timings()
    check_combinations(config)
    if config.tensorboard:
        from . import tensorboard_log

        tensorboard_log.require()
    out = Path(config.out) if config.out else default_out(config)
    artifacts.check_new_run_dir(out)
    device = choose_device(config.device)
    prepared = prepare(config, device, warn)
    dataset, pre, train = prepared.dataset, prepared.preprocessor, prepared.train
    config = resolve(config, len(train))
    seed_everything(config.seed, config.deterministic)
    if config.class_weight == "balanced":
        train = balanced_weights(train, dataset.n_classes)
    arch = architecture(config, pre.n_features, dataset.n_classes)
    model = build(arch).to(device)
    log(f"{config.model} on {config.source_name} ({dataset.source}): {len(train):,} train / "
        f"{len(prepared.val) if prepared.val else 0:,} validation / {len(prepared.test):,} test "
        f"rows, {pre.n_features} features, {dataset.n_classes} classes; {config.optimizer} on "
        f"{device}")
    timings.lap("load")
    with threads_for(model, device):
        history = Trainer(model, config, dataset.n_classes, train, prepared.val, prepared.test,
                          log).fit()
    timings.lap("train")

    from . import run_summary
    from .evaluation import coefficients, evaluate
    from .predictions_file import TestPredictions

    info = model_info(config, dataset, arch, pre)
    weights = numpy_weights(model)
    # The final scores come from the same numpy path as `lrnn predict`, so they agree exactly.
    test_X = prepared.test.X.cpu().numpy()
    test_logits = Predictor(info, weights).model.logits(test_X)
    # images as they were read (uint8 pixels) for the grid of mistakes
    shown = test_X.reshape(-1, *dataset.image_shape) if dataset.image_shape else test_X
    scored = TestPredictions(shown, prepared.test_y, test_logits, config.threshold)
    metrics = {"test": evaluate(test_logits, prepared.test_y, dataset.classes, config.threshold)}
    if config.model == "logreg" and pre.kind == "table":
        metrics["coefficients"] = coefficients(weights, dataset.classes, pre.feature_names)
    metrics.update(run_summary.describe(dataset, pre.n_features, info, split_labels(prepared),
                                        history, str(device), timings))
    timings.lap("evaluate")
    log(f"test accuracy {metrics['test']['accuracy']:.2%}  loss {metrics['test']['loss']:.4f}")
    save(out, weights, info, config, metrics, history, scored, timings)
    log(f"saved {out}")
    return Run(out, config, metrics, history)


def split_labels(prepared) -> dict:
    parts = {"train": prepared.train, "validation": prepared.val, "test": prepared.test}
    return {name: part.y.cpu().numpy() for name, part in parts.items() if part is not None}


def model_info(config: RunConfig, dataset: data.Dataset, arch: dict, pre: Preprocessor) -> dict:
    if dataset.image_shape is not None:
        schema = {"kind": "image", "shape": list(dataset.image_shape)}
    else:
        schema = {"kind": "table", "columns": pre.input_columns,
                  "dropped": dataset.schema.dropped, "target": config.target,
                  "id_column": config.id_column}
    return {
        "format_version": artifacts.FORMAT_VERSION,
        "lrnn_version": __version__,
        "torch_version": torch.__version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "dataset": config.source_name,
        "task": "binary" if dataset.n_classes == 2 else "multiclass",
        "classes": list(dataset.classes),
        "threshold": config.threshold,
        "architecture": arch,
        "preprocessing": pre.to_json(),
        "input_schema": schema,
    }


def _csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def save(out: Path, weights: dict, info: dict, config: RunConfig, metrics: dict,
         history: History, scored: TestPredictions, timings: Timings) -> None:
    """Write the whole run into a staging folder, then publish it under `out` at once."""
    import tomli_w

    from . import predictions_file, report, run_plots

    stage = artifacts.stage_dir(out)
    try:
        info = dict(info, weights_sha256=artifacts.save_weights(stage, weights))
        # `out` is where this run lives, not how it trains: left out so that the file can be
        # reused as --config for a new run.
        settings = {k: v for k, v in config.to_dict().items() if k != "out"}
        artifacts.write_atomic(stage / "config.toml", tomli_w.dumps(settings))
        artifacts.write_atomic(stage / "history.csv", _csv(history.epochs, HISTORY_COLUMNS))
        if history.evals:
            artifacts.write_atomic(stage / "evals.csv", _csv(history.evals, EVAL_COLUMNS))
        artifacts.write_atomic(stage / predictions_file.FILENAME,
                               predictions_file.to_csv(scored, info["classes"]))
        (stage / "plots").mkdir()
        timings.lap("write")
        run_plots.draw_all(stage / "plots", f"{config.model} on {config.source_name}", history,
                           metrics, scored, info, weights)
        timings.lap("plots")
        if config.tensorboard:
            from . import tensorboard_log

            tensorboard_log.write(stage, history.epochs, history.evals)
        timings.total()  # up to the report, which shows it
        artifacts.write_json(stage / "metrics.json", metrics)
        report.write(stage, info, out.name)
        artifacts.write_json(stage / artifacts.MODEL_JSON, info)  # last: marks a complete run
        artifacts.publish(stage, out)
    except BaseException:
        artifacts.discard(stage)
        raise
