"""What each `lrnn` subcommand does, given parsed arguments."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from .config import (BUILTIN_DATASETS, DATASETS, DEFAULT_DATASET, SETTINGS, build_config,
                     parse_setting, read_toml, replace)
from .errors import ArtifactError, InputError


def warn(message: str) -> None:
    print(f"lrnn: warning: {message}", file=sys.stderr)


def _given_settings(args: argparse.Namespace) -> dict:
    """The settings of --config, then the flags, checked one by one."""
    from .cli import setting_values

    values = read_toml(args.config) if "config" in args else {}
    for name, raw in setting_values(args).items():
        flag = "--" + name.replace("_", "-")
        values[name] = raw if isinstance(raw, bool) else parse_setting(name, raw, flag)
    return values


def train(args: argparse.Namespace) -> int:
    values = _given_settings(args)
    # bad settings fail here, before any process is started
    config = None if args.resume else build_config(values)
    if args.nproc:
        return launch_torchrun(args.nproc, args.raw_argv)
    if config is not None and config.data is None:
        from .data import early_read

        early_read.start(config.dataset or DEFAULT_DATASET, config.data_dir)
    from . import distributed  # imports torch

    with distributed.session() as process:
        quiet = args.quiet or not process.is_main
        log = (lambda message: None) if quiet else print
        result = _train_or_resume(args, values, process, log,
                                  warn if process.is_main else (lambda message: None))
    if not process.is_main:
        return 0
    if args.quiet:
        print(f"test accuracy {result.metrics['test']['accuracy']:.4f}  {result.run_dir}")
    return 0


def _train_or_resume(args, values: dict, process, log, warn_):
    """A new run, or --resume; a job that torchrun restarted after a failure goes on from its
    newest checkpoint."""
    from .checkpoints import checkpoint_files
    from .engine import resume, run

    folder = Path(args.resume or values.get("out") or "")
    restarted = process.restart > 0 and bool(values.get("out")) and \
        bool(checkpoint_files(folder / "checkpoints"))
    if args.resume or restarted:
        given = {k: v for k, v in values.items() if k != "out"}
        return resume(folder, given, log=log, warn=warn_)
    return run(build_config(values), log=log, warn=warn_)


def tune(args: argparse.Namespace) -> int:
    from .tune import Options, tune as search

    values = {k: v for k, v in _given_settings(args).items() if k != "out"}
    return search(values, Options(args.trials, args.timeout, args.space, args.metric,
                                  args.sampler, args.pruner, args.out, args.workers,
                                  args.storage, args.study))


def launch_torchrun(nproc: int, argv: list[str]) -> int:
    """`lrnn train --nproc N ...`: the same command under torchrun, N processes here."""
    import subprocess
    import sys

    rest, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            rest.append(arg)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc-per-node={nproc}", "-m", "lrnn", *rest]
    return subprocess.call(command)


def _run_settings(run_dir: Path) -> dict:
    import tomllib

    path = run_dir / "config.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{path}: missing; is {run_dir} a run directory?") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path}: not valid TOML ({exc})") from None
    return {k: v for k, v in raw.items() if k in SETTINGS}


def _held_out_test(run_dir: Path, args: argparse.Namespace):
    """The test split the run was scored on, rebuilt from its settings (or another dataset)."""
    from . import data
    from .data.split import split_rows, take_rows

    config = build_config(_run_settings(run_dir))
    if args.dataset:
        if config.data is not None or args.dataset not in DATASETS:
            raise InputError(f"--dataset {args.dataset}: expected one of "
                             f"{', '.join(DATASETS)} for a run trained on a built-in dataset")
        config = replace(config, dataset=args.dataset, data_dir=None)
    if args.data_dir:
        config = replace(config, data_dir=args.data_dir)
    dataset = data.load(config)
    if dataset.X_test is not None:
        return dataset.X_test, dataset.y_test, f"{config.source_name} test data"
    rows = split_rows(dataset.y, own_test=False, val_fraction=0,
                      test_fraction=config.test_fraction, seed=config.seed).test
    return take_rows(dataset.X, rows), dataset.y[rows], f"{config.source_name} test split"


def _labelled_file(predictor, args: argparse.Namespace):
    from .data.table_dataset import encode_target
    from .data.tabular import read_table

    target = predictor.info["input_schema"].get("target")
    if not target:
        raise InputError(f"--data: {args.run} was not trained on a file; use --dataset")
    table = read_table(args.data, args.delimiter, args.encoding, args.decimal)
    if target not in table.column_names:
        raise InputError(f"{args.data}: no target column '{target}' to score against")
    y = encode_target(table.column(target), list(predictor.classes), target, args.data)
    return table, y, args.data


def evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate as metrics_of
    from .predict import Predictor

    run_dir = Path(args.run)
    predictor = Predictor.load(run_dir)
    X, y, what = _labelled_file(predictor, args) if args.data else _held_out_test(run_dir, args)
    X, notes = predictor.preprocessor.transform_with_notes(X, what)
    for note in notes:
        warn(note)
    metrics = metrics_of(predictor.model.logits(X), y, predictor.classes, predictor.threshold)
    print(f"{run_dir} on {what} ({metrics['n']:,} rows): accuracy {metrics['accuracy']:.2%}  "
          f"loss {metrics['loss']:.4f}")
    if args.output:
        from .artifacts import write_json

        write_json(Path(args.output), {"test": metrics})
    return 0


def _check_output(output: Path, inputs: list[str], force: bool) -> None:
    if any(output.resolve() == Path(p).resolve() for p in inputs):
        raise InputError(f"-o {output}: is also an input; choose another output file")
    if output.is_dir():
        raise InputError(f"-o {output}: is a directory; expected a CSV file name")
    if output.exists() and not force:
        raise InputError(f"-o {output}: already exists; pass --force to overwrite")
    if not output.parent.is_dir():
        raise InputError(f"-o {output}: folder {output.parent} does not exist")


def _image_rows(predictor, args):
    from .data.inputs import read_image_inputs

    X, names = read_image_inputs(args.inputs, predictor.image_shape)
    return predictor.preprocessor.transform(X), ("file", names) if names else None


def _table_rows(predictor, args):
    """Rows of a table file, after checking its columns against the model's schema."""
    from .data.tabular import read_table

    if len(args.inputs) != 1:
        raise InputError(f"expected one table file for this model, found {len(args.inputs)} "
                         f"inputs")
    path = args.inputs[0]
    table = read_table(path, args.delimiter, args.encoding, args.decimal)
    schema = predictor.info["input_schema"]
    needed = predictor.preprocessor.input_columns
    missing = [c for c in needed if c not in table.column_names]
    if missing:
        raise InputError(f"{path}: missing columns {', '.join(missing)}; expected every column "
                         f"the model was trained on")
    known = set(needed) | {schema.get("id_column"), schema.get("target")} | set(schema["dropped"])
    extra = [c for c in table.column_names if c not in known]
    if extra:
        warn(f"{path}: ignoring columns the model does not know: {', '.join(extra)}")
    X, notes = predictor.preprocessor.transform_with_notes(table, path)
    for note in notes:
        warn(f"{path}: {note}")
    id_column = schema.get("id_column")
    if id_column and id_column not in table.column_names:
        warn(f"{path}: no id column '{id_column}'; predictions follow the input's row order")
        id_column = None
    ids = (id_column, table.column(id_column).to_pylist()) if id_column else None
    return X, ids


def predict(args: argparse.Namespace) -> int:
    from .artifacts import write_atomic
    from .inference import predicted_classes, probabilities
    from .predict import Predictor

    output = Path(args.output)
    _check_output(output, args.inputs, args.force)
    predictor = Predictor.load(args.run)
    rows = _image_rows if predictor.image_shape else _table_rows
    X, ids = rows(predictor, args)
    logits = predictor.model.logits(X)
    labels = predicted_classes(logits, predictor.threshold)
    write_atomic(output, predictions_csv(ids, predictor.classes, labels, probabilities(logits)))
    print(f"wrote {len(labels):,} predictions to {output}")
    return 0


def predictions_csv(ids, classes, labels, probs) -> str:
    """One row per input: [id or file,] prediction, proba_<class>..."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    id_name, id_values = ids if ids else (None, None)
    writer.writerow(([id_name] if ids else []) + ["prediction"] + [f"proba_{c}" for c in classes])
    class_names = list(classes)
    for i, (label, row) in enumerate(zip(labels, probs)):
        head = [id_values[i]] if ids else []
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
