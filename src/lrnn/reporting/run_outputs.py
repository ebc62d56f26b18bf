"""Every file of a finished run, written into a staging folder and published into the run
directory at once (artifacts/run_dir.py): weights, config.toml, history, predictions, plots,
TensorBoard scalars, metrics.json, report.html, and model.json last."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..artifacts import model_json, weights as weight_file
from ..artifacts.files import write_atomic, write_json
from ..artifacts.summary import RunRecord
from ..artifacts.tables import records_csv
from ..evaluation.test_predictions import FILENAME as PREDICTIONS, TestPredictions
from . import report, run_figures
from .figure_worker import Handover

HISTORY_COLUMNS = ("epoch", "step", "lr", "train_loss", "train_accuracy", "val_loss",
                   "val_accuracy", "test_loss", "test_accuracy", "time_s", "unix_time")
EVAL_COLUMNS = ("step", "epoch", "train_loss", "test_loss", "test_accuracy", "time_s")


@dataclass(frozen=True)
class FinishedRun:
    info: dict[str, Any]  # model.json, but the weights' sha256
    weights: dict[str, Any]  # tensor name -> numpy array
    settings: dict[str, Any]  # config.toml: the resolved settings, but where the run lives
    title: str  # "<model> on <data>"
    metrics: dict[str, Any]  # metrics.json, but the timings (from the record)
    history: Any  # training.state.History
    scored: TestPredictions
    tensorboard: bool = False
    plots: bool = True  # --no-plots: none drawn (the report says so)


def publish(run_dir, run: FinishedRun, record: RunRecord) -> None:
    """Write every file of the run and publish them into `run_dir` (a RunDir) at once."""
    import tomli_w

    def write_files(stage: Path) -> None:
        plots, drawing = stage / "plots", None
        if run.plots:
            plots.mkdir()
            # the figures first, to this command's figure worker if it has one: it draws them
            # while this process writes the other files
            drawing = Handover(run_figures.plan(run.title, run.history, run.metrics,
                                                run.scored, run.info, run.weights), plots)
        try:
            info = dict(run.info, weights_sha256=weight_file.save_weights(stage, run.weights))
            write_atomic(stage / "config.toml", tomli_w.dumps(run.settings))
            write_atomic(stage / "history.csv", records_csv(run.history.epochs, HISTORY_COLUMNS))
            if run.history.evals:
                write_atomic(stage / "evals.csv", records_csv(run.history.evals, EVAL_COLUMNS))
            write_atomic(stage / PREDICTIONS, run.scored.to_csv(info["classes"]))
            record.timings.lap("write")
            for job in drawing.finish() if drawing is not None else ():  # what no worker drew
                run_figures.draw(job, plots)
        finally:
            if drawing is not None:
                drawing.close()  # before the staging folder is published or removed
        if drawing is not None:
            record.timings.lap("plots")
        if run.tensorboard:
            from . import tensorboard

            tensorboard.write(stage, run.history.epochs, run.history.evals)
        record.timings.total()  # up to the report, which shows it
        write_json(stage / "metrics.json", run.metrics)
        report.write(stage, info, run_dir.path.name)
        model_json.write_model_json(stage, info)

    run_dir.publish(write_files)
