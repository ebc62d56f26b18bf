"""`lrnn evaluate RUN`: a saved run scored again, on the test split it was scored on (rebuilt
from its settings, or another built-in dataset's), or on a labelled table file."""

from __future__ import annotations

from pathlib import Path

from ..config import DATASETS, IN_MEMORY, build_config, replace
from ..errors import InputError
from .predictor import Predictor
from .table_inputs import FileFormat, labelled_table


def held_out_test(run_dir: Path, dataset: str | None = None, data_dir: str | None = None):
    """(features, labels, what they are) of the test split the run was scored on, rebuilt from
    its config.toml (or `dataset`'s test split)."""
    from ..artifacts.model_json import read_info
    from ..artifacts.run_files import read_settings
    from ..config import SETTINGS
    from ..data import load
    from ..data.split import split_rows, take_rows

    if not (Path(run_dir) / "config.toml").exists() and "estimator" in read_info(run_dir):
        name = read_info(run_dir)["estimator"].get("class", "an estimator")
        raise InputError(f"{run_dir}: saved by {name}.save(), it keeps the model only (no "
                         f"settings, no test split); score it on a labelled file: --data FILE "
                         f"--target COLUMN")
    settings = read_settings(run_dir)
    config = build_config({k: v for k, v in settings.items() if k in SETTINGS})
    if config.data == IN_MEMORY:
        raise InputError(f"{run_dir}: trained on a pandas DataFrame, which lrnn cannot load "
                         f"again; score it on a labelled file: --data FILE")
    if dataset:
        if config.data is not None or dataset not in DATASETS:
            raise InputError(f"--dataset {dataset}: expected one of {', '.join(DATASETS)} for a "
                             f"run trained on a built-in dataset")
        config = replace(config, dataset=dataset, data_dir=None)
    if data_dir:
        config = replace(config, data_dir=data_dir)
    loaded = load(config)
    if loaded.X_test is not None:
        return loaded.X_test, loaded.y_test, f"{config.source_name} test data"
    rows = split_rows(loaded.y, own_test=False, val_fraction=0,
                      test_fraction=config.test_fraction, seed=config.seed).test
    return take_rows(loaded.X, rows), loaded.y[rows], f"{config.source_name} test split"


def evaluate_run(run_dir, console, dataset: str | None = None, data_dir: str | None = None,
                 data: str | None = None, fmt: FileFormat = FileFormat(),
                 target: str | None = None):
    """(metrics as in metrics.json["test"], what was scored). `target`: the column of true
    classes in `data` (default: the run's own)."""
    from ..evaluation import evaluate

    run_dir = Path(run_dir)
    predictor = Predictor.load(run_dir)
    if target and not data:
        raise InputError("--target: applies with --data FILE only")
    if data:
        X, y, what = (*labelled_table(predictor, data, fmt, str(run_dir), target), data)
    else:
        X, y, what = held_out_test(run_dir, dataset, data_dir)
    X, notes = predictor.preprocessor.transform_with_notes(X, what)
    for note in notes:
        console.warn(note)
    logits = predictor.model.logits(X)
    return evaluate(logits, y, predictor.classes, predictor.threshold), what
