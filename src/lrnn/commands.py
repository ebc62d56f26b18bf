"""What each `lrnn` subcommand does, given parsed arguments."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

from .config import (BUILTIN_DATASETS, DATASETS, build_config, parse_setting, read_toml)
from .errors import InputError


def train(args: argparse.Namespace) -> int:
    from .cli import setting_values

    values = read_toml(args.config) if "config" in args else {}
    for name, raw in setting_values(args).items():
        flag = "--" + name.replace("_", "-")
        values[name] = raw if isinstance(raw, bool) else parse_setting(name, raw, flag)
    config = build_config(values)

    from .engine import run

    log = (lambda message: None) if args.quiet else print
    result = run(config, log=log)
    if args.quiet:
        print(f"test accuracy {result.metrics['test']['accuracy']:.4f}  {result.run_dir}")
    return 0


def _read_run_config(run_dir: Path) -> dict:
    import tomllib

    path = run_dir / "config.toml"
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        from .errors import ArtifactError

        raise ArtifactError(f"{path}: missing; is {run_dir} a run directory?") from None


def evaluate(args: argparse.Namespace) -> int:
    from . import data
    from .config import RunConfig
    from .data.split import split
    from .evaluation import evaluate as metrics_of
    from .predict import Predictor

    run_dir = Path(args.run)
    predictor = Predictor.load(run_dir)
    settings = _read_run_config(run_dir)
    dataset_name = args.dataset or settings.get("dataset")
    if dataset_name not in DATASETS:
        raise InputError(f"--dataset: expected one of {', '.join(DATASETS)}, found {dataset_name!r}")
    config = RunConfig(dataset=dataset_name, data_dir=args.data_dir,
                       test_fraction=settings.get("test_fraction", 0.2),
                       seed=settings.get("seed", 0))
    dataset = data.load(config)
    test = split(dataset.X, dataset.y, dataset.X_test, dataset.y_test, val_fraction=0,
                 test_fraction=config.test_fraction, seed=config.seed).test
    metrics = metrics_of(predictor.logits(test.X), test.y, predictor.classes,
                         predictor.threshold)
    print(f"{run_dir} on {dataset_name} test split ({metrics['n']:,} rows): accuracy "
          f"{metrics['accuracy']:.2%}  loss {metrics['loss']:.4f}")
    if args.output:
        from .artifacts import write_json

        write_json(Path(args.output), {"test": metrics})
    return 0


def _check_output(output: Path, inputs: list[str], force: bool) -> None:
    if any(output.resolve() == Path(p).resolve() for p in inputs):
        raise InputError(f"-o {output}: is also an input; choose another output file")
    if output.exists() and not force:
        raise InputError(f"-o {output}: already exists; pass --force to overwrite")
    if output.is_dir():
        raise InputError(f"-o {output}: is a directory; expected a CSV file name")
    if not output.parent.is_dir():
        raise InputError(f"-o {output}: folder {output.parent} does not exist")


def predict(args: argparse.Namespace) -> int:
    from .artifacts import write_atomic
    from .predict import Predictor

    output = Path(args.output)
    _check_output(output, args.inputs, args.force)
    predictor = Predictor.load(args.run)
    if predictor.image_shape is None:
        raise InputError(f"{args.run}: predicting on tables comes with CSV input support; this "
                         f"command reads image inputs")
    from .data.inputs import read_image_inputs
    from .inference import predicted_classes, probabilities

    X, names = read_image_inputs(args.inputs, predictor.image_shape)
    logits = predictor.logits(X)
    labels = predicted_classes(logits, predictor.threshold)
    probs = probabilities(logits)
    write_atomic(output, predictions_csv(names, predictor.classes, labels, probs))
    print(f"wrote {len(labels):,} predictions to {output}")
    return 0


def predictions_csv(names, classes, labels, probs) -> str:
    """One row per input: [file,] prediction, proba_<class>..."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((["file"] if names else []) + ["prediction"] +
                    [f"proba_{c}" for c in classes])
    class_names = list(classes)
    for i, (label, row) in enumerate(zip(labels, probs)):
        head = [names[i]] if names else []
        writer.writerow(head + [class_names[label]] + [f"{p:.6g}" for p in row])
    return buffer.getvalue()


def datasets(args: argparse.Namespace) -> int:
    from .data.idx_datasets import where_is
    from .data.registry import IDX_REGISTRY

    print(f"{'dataset':<15} {'classes':>7}  present  where")
    for name in DATASETS:
        if name in BUILTIN_DATASETS:
            print(f"{name:<15} {'':>7}  yes      built in (scikit-learn)")
            continue
        folder, source = where_is(name)
        n = len(IDX_REGISTRY[name].classes)
        print(f"{name:<15} {n:>7}  {'yes' if folder else 'no ':<7}  "
              f"{f'{folder} ({source})' if folder else source}")
    return 0


def report(args: argparse.Namespace) -> int:
    from .report import write

    path = write(Path(args.run))
    print(f"wrote {path}")
    return 0


def compare(args: argparse.Namespace) -> int:
    from . import compare as comparison
    from . import run_files
    from .artifacts import write_atomic

    output = Path(args.output)
    if output.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"-o {output}: expected a file name ending in .html")
    _check_output(output, args.runs, args.force)
    # runs are named by their folders; by the paths given when two folders share a name
    names = [Path(run).resolve().name for run in args.runs]
    if len(set(names)) < len(names):
        names = list(args.runs)
    runs = [run_files.read(run, name=name) for run, name in zip(args.runs, names)]
    write_atomic(output, comparison.render(runs))
    print(f"wrote {output} comparing {len(runs)} runs")
    return 0
