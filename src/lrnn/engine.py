"""The lifecycle in one function: run(config) loads, splits, preprocesses, builds, trains,
evaluates, draws and saves (DESIGN.md, "Data flow")."""

from __future__ import annotations

import csv
import io
import time
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
    out = Path("runs") / f"{config.dataset}-{config.model}-{stamp}"
    n = 2
    while out.exists():
        out = Path("runs") / f"{config.dataset}-{config.model}-{stamp}-{n}"
        n += 1
    return out


def _on_device(pre: Preprocessor, part: Part | None, device: torch.device) -> TrainData | None:
    if part is None:
        return None
    return TrainData(torch.from_numpy(pre.transform(part.X)).to(device),
                     torch.from_numpy(part.y).to(device))


def numpy_weights(model: torch.nn.Module) -> dict:
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def run(config: RunConfig, log: Callable[[str], None] = print) -> Run:
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
    splits = split(dataset.X, dataset.y, dataset.X_test, dataset.y_test,
                   val_fraction=config.val_fraction, test_fraction=config.test_fraction,
                   seed=config.seed)
    config = resolve(config, len(splits.train))
    seed_everything(config.seed, config.deterministic)
    pre = Preprocessor.fit(splits.train.X, dataset.image_shape)
    train, val, test = (_on_device(pre, p, device) for p in (splits.train, splits.val, splits.test))
    arch = architecture(config, pre.n_features, dataset.n_classes)
    model = build(arch).to(device)
    log(f"{config.model} on {config.dataset} ({dataset.source}): {len(train):,} train / "
        f"{len(val) if val else 0:,} validation / {len(test):,} test rows, {pre.n_features} "
        f"features, {dataset.n_classes} classes; {config.optimizer} on {device}")
    timings.lap("load")
    history = Trainer(model, config, dataset.n_classes, train, val, test, log).fit()
    timings.lap("train")

    from . import run_summary
    from .evaluation import evaluate
    from .predictions_file import TestPredictions

    info = model_info(config, dataset, arch, pre)
    # The final scores come from the same numpy path as `lrnn predict`, so they agree exactly.
    weights = numpy_weights(model)
    predictor = Predictor(info, weights)
    scored = TestPredictions(splits.test.X, splits.test.y, predictor.logits(splits.test.X),
                             config.threshold)
    metrics = {"test": evaluate(scored.logits, scored.y, dataset.classes, config.threshold),
               "data": run_summary.data_summary(dataset.source, dataset.classes, pre.n_features,
                                                info["input_schema"], splits),
               "training": run_summary.training_summary(history),
               "environment": run_summary.environment(str(device)),
               "timings": timings}
    timings.lap("evaluate")
    log(f"test accuracy {metrics['test']['accuracy']:.2%}  loss {metrics['test']['loss']:.4f}")
    save(out, weights, info, config, metrics, history, scored, timings)
    log(f"saved {out}")
    return Run(out, config, metrics, history)


def model_info(config: RunConfig, dataset: data.Dataset, arch: dict, pre: Preprocessor) -> dict:
    if dataset.image_shape is not None:
        schema = {"kind": "image", "shape": list(dataset.image_shape)}
    else:
        schema = {"kind": "table", "features": list(dataset.feature_names)}
    return {
        "format_version": artifacts.FORMAT_VERSION,
        "lrnn_version": __version__,
        "torch_version": torch.__version__,
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "dataset": config.dataset,
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
        run_plots.draw_all(stage / "plots", f"{config.model} on {config.dataset}", history,
                           metrics["test"], scored, info, weights)
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
