"""What a finished run leaves behind: model.json's description, the final scores, and every
file of the run directory, published at once."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import torch

from . import __version__, artifacts
from .config import RunConfig
from .predict import Predictor
from .preprocessing import Preprocessor
from .training import History

HISTORY_COLUMNS = ("epoch", "step", "lr", "train_loss", "train_accuracy", "val_loss",
                   "val_accuracy", "test_loss", "test_accuracy", "time_s", "unix_time")
EVAL_COLUMNS = ("step", "epoch", "train_loss", "test_loss", "test_accuracy", "time_s")


def numpy_weights(model: torch.nn.Module) -> dict:
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def model_info(config: RunConfig, dataset, arch: dict, pre: Preprocessor) -> dict[str, Any]:
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


def split_labels(prepared) -> dict:
    parts = {"train": prepared.train, "validation": prepared.val, "test": prepared.test}
    return {name: part.y.cpu().numpy() for name, part in parts.items() if part is not None}


def score(prepared, info: dict, weights: dict, config: RunConfig, history: History,
          device, timings):
    """metrics.json and the test predictions, from the same numpy path as `lrnn predict`, so
    that the two agree exactly."""
    from . import run_summary
    from .evaluation import coefficients, evaluate
    from .predictions_file import TestPredictions

    dataset, pre = prepared.dataset, prepared.preprocessor
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
    return metrics, scored


def _csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def save(run_dir, weights: dict, info: dict, config: RunConfig, metrics: dict,
         history: History, scored, timings) -> None:
    """Write every file of the run and publish them into the run directory at once."""
    import tomli_w

    from . import predictions_file, report, run_plots

    def write_files(stage):
        nonlocal info
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
        report.write(stage, info, run_dir.path.name)
        artifacts.write_json(stage / artifacts.MODEL_JSON, info)

    run_dir.publish(write_files)
