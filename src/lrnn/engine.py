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
from .data.split import Part, split
from .device import choose_device, seed_everything
from .models import architecture, build
from .predict import Predictor
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


def _on_device(pre: Preprocessor, part: Part | None, device: torch.device, name: str,
               warn: Callable[[str], None]) -> TrainData | None:
    if part is None:
        return None
    X, notes = pre.transform_with_notes(part.X, f"{name} split")
    for note in notes:
        warn(f"{name} split: {note}")
    return TrainData(torch.from_numpy(X).to(device), torch.from_numpy(part.y).to(device))


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
    dataset = data.load(config)
    for message in dataset.schema.warnings if dataset.schema else []:
        warn(message)
    splits = split(dataset.X, dataset.y, dataset.X_test, dataset.y_test,
                   val_fraction=config.val_fraction, test_fraction=config.test_fraction,
                   seed=config.seed)
    config = resolve(config, len(splits.train))
    seed_everything(config.seed, config.deterministic)
    pre = Preprocessor.fit(splits.train.X, dataset.image_shape, dataset.schema, dataset.source)
    train, val, test = (_on_device(pre, part, device, name, warn) for part, name in
                        ((splits.train, "train"), (splits.val, "validation"),
                         (splits.test, "test")))
    if config.class_weight == "balanced":
        train = balanced_weights(train, dataset.n_classes)
    arch = architecture(config, pre.n_features, dataset.n_classes)
    model = build(arch).to(device)
    log(f"{config.model} on {config.source_name} ({dataset.source}): {len(train):,} train / "
        f"{len(val) if val else 0:,} validation / {len(test):,} test rows, {pre.n_features} "
        f"features, {dataset.n_classes} classes; {config.optimizer} on {device}")
    timings.lap("load")
    history = Trainer(model, config, dataset.n_classes, train, val, test, log).fit()
    timings.lap("train")

    from . import run_summary
    from .evaluation import coefficients, evaluate
    from .predictions_file import TestPredictions

    info = model_info(config, dataset, arch, pre)
    weights = numpy_weights(model)
    # The final scores come from the same numpy path as `lrnn predict`, so they agree exactly.
    test_logits = Predictor(info, weights).model.logits(test.X.cpu().numpy())
    # raw test rows: the image grid shows the pictures as they were read
    scored = TestPredictions(splits.test.X, splits.test.y, test_logits, config.threshold)
    metrics = {"test": evaluate(test_logits, splits.test.y, dataset.classes, config.threshold)}
    if config.model == "logreg" and pre.kind == "table":
        metrics["coefficients"] = coefficients(weights, dataset.classes, pre.feature_names)
    metrics.update(run_summary.describe(dataset, pre.n_features, info, splits, history,
                                        str(device), timings))
    timings.lap("evaluate")
    log(f"test accuracy {metrics['test']['accuracy']:.2%}  loss {metrics['test']['loss']:.4f}")
    save(out, weights, info, config, metrics, history, scored, timings)
    log(f"saved {out}")
    return Run(out, config, metrics, history)


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
