"""`lrnn evaluate RUN`: a saved run scored again, on the test split it was scored on (rebuilt
from its settings, or another built-in dataset's), or on a labelled table file."""

from __future__ import annotations

from pathlib import Path

from ..config import DATASETS, IN_MEMORY, build_config, replace
from ..errors import ArtifactError, InputError
from .predictor import Predictor
from .table_inputs import FileFormat, labelled_table


def run_config(run_dir: Path, info: dict | None = None):
    """The run's config.toml as checked settings that agree with its model.json (the same
    data, the same target); anything else is an ArtifactError naming config.toml, before any
    data is read."""
    from ..artifacts.model_json import read_info
    from ..artifacts.run_files import read_settings
    from ..config import SETTINGS, unknown_key_message

    info = info if info is not None else read_info(Path(run_dir))
    path = Path(run_dir) / "config.toml"
    settings = read_settings(run_dir)
    for key in settings:
        if key not in SETTINGS:
            raise ArtifactError(unknown_key_message(key, str(path)))
    try:
        config = build_config(settings)
    except InputError as exc:
        raise ArtifactError(f"{path}: {exc}") from None
    trained_on = info.get("dataset")
    if trained_on is not None and config.source_name != trained_on:
        named = f"data = {config.data!r}" if config.data else f"dataset = {config.source_name!r}"
        raise ArtifactError(f"{path}: {named}, but model.json says the run was trained on "
                            f"{trained_on!r}; the file was edited or belongs to another run "
                            f"(score other data with --data)")
    target = info["input_schema"].get("target")
    if config.target != target:
        raise ArtifactError(f"{path}: target = {config.target!r}, but model.json's target is "
                            f"{target!r}; the file was edited or belongs to another run")
    return config


def held_out_test(run_dir: Path, dataset: str | None = None, data_dir: str | None = None,
                  info: dict | None = None, download: bool = True):
    """(features, labels, what they are) of the test split the run was scored on, rebuilt from
    its config.toml (or `dataset`'s test split). `download`: fetch MNIST-style files that are
    not on this machine (otherwise an InputError)."""
    from ..artifacts.model_json import read_info
    from ..config import DEFAULT_DATASET, IDX_DATASETS
    from ..data import load
    from ..data.split import split_rows, take_rows

    info = info if info is not None else read_info(Path(run_dir))
    if not (Path(run_dir) / "config.toml").exists() and "estimator" in info:
        name = info["estimator"].get("class", "an estimator")
        raise InputError(f"{run_dir}: saved by {name}.save(), it keeps the model only (no "
                         f"settings, no test split); score it on a labelled file: --data FILE "
                         f"--target COLUMN")
    config = run_config(run_dir, info)
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
    name = config.dataset or DEFAULT_DATASET
    if config.data is None and name in IDX_DATASETS:
        X, y = _idx_test_files(name, config.data_dir, download)
        return X, y, f"{name} test data"
    loaded = load(config)
    if loaded.X_test is not None:
        return loaded.X_test, loaded.y_test, f"{config.source_name} test data"
    rows = split_rows(loaded.y, own_test=False, val_fraction=0,
                      test_fraction=config.test_fraction, seed=config.seed).test
    return take_rows(loaded.X, rows), loaded.y[rows], f"{config.source_name} test split"


def _idx_test_files(name: str, data_dir: str | None, download: bool):
    """Only the test images and labels of an IDX dataset (the training files are not read)."""
    from ..data.idx.format import read_pair
    from ..data.idx.locate import locate, where_is
    from ..data.idx.registry import IDX_REGISTRY

    if not download and data_dir is None and where_is(name)[0] is None:
        raise InputError(f"the {name} files are not on this machine")
    files, _ = locate(name, data_dir)
    return read_pair(files[2], files[3], len(IDX_REGISTRY[name].classes))


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
        X, y, what = (*labelled_table(predictor, data, fmt, str(run_dir), target, console),
                      data)
    else:
        X, y, what = held_out_test(run_dir, dataset, data_dir, info=predictor.info)
    X, notes = predictor.preprocessor.transform_with_notes(X, what)
    for note in notes:
        console.warn(note)
    logits = predictor.model.logits(X)
    return evaluate(logits, y, predictor.classes, predictor.threshold), what
