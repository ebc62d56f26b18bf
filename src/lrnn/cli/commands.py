"""What each `lrnn` subcommand does with its parsed arguments: call one function of a stage
and print what it gives back. No logic that a notebook or a test would want lives here."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import DEFAULT_DATASET, build_config
from ..console import Console
from .startup import no_cycle_collection, without_pandas
from .train_flags import file_format, given_settings


def train(args: argparse.Namespace) -> int:
    values = given_settings(args)
    # bad settings fail here, before any process is started
    config = None if args.resume else build_config(values)
    if args.nproc:
        from .launch import launch_torchrun

        return launch_torchrun(args.nproc, args.raw_argv)
    from ..reporting import figure_worker

    # the run's figures are drawn by a worker that warms up from now on, while torch imports
    # and the model trains
    with figure_worker.running(), without_pandas():
        if config is not None and config.data is None:
            from ..data.idx import early_read

            early_read.start(config.dataset or DEFAULT_DATASET, config.data_dir)
        elif config is not None:
            from ..data.tables import early_read as early_table

            early_table.start(config.data, config.delimiter, config.encoding, config.decimal)
        with no_cycle_collection():
            from ..engine import train_or_resume
            from ..training import distributed  # imports torch

        with distributed.session() as process:
            console = Console(quiet=args.quiet) if process.is_main else Console.silent()
            result = train_or_resume(values, args.resume, console)
    if process.is_main and args.quiet:
        print(f"test accuracy {result.metrics['test']['accuracy']:.4f}  {result.run_dir}")
    return 0


def tune(args: argparse.Namespace) -> int:
    from ..tune import Options, tune as search

    values = {k: v for k, v in given_settings(args).items() if k != "out"}
    return search(values, Options(args.trials, args.timeout, args.space, args.metric,
                                  args.sampler, args.pruner, args.out, args.workers,
                                  args.storage, args.study))


def evaluate(args: argparse.Namespace) -> int:
    from ..artifacts.files import check_output_file, write_json
    from ..predict.scoring import evaluate_run

    if args.output:  # before any work: the same rules as predict's -o
        check_output_file(Path(args.output), [p for p in (args.run, args.data) if p],
                          args.force, kind="JSON")
    with without_pandas():
        metrics, what = evaluate_run(args.run, Console(), args.dataset, args.data_dir,
                                     args.data, file_format(args))
    print(f"{args.run} on {what} ({metrics['n']:,} rows): accuracy {metrics['accuracy']:.2%}  "
          f"loss {metrics['loss']:.4f}")
    if args.output:
        write_json(Path(args.output), {"test": metrics})
    return 0


def predict(args: argparse.Namespace) -> int:
    from ..predict.files import predict_files

    with without_pandas():
        rows = predict_files(args.run, args.inputs, args.output, Console(), args.force,
                             file_format(args), args.prepare_digits)
    print(f"wrote {rows:,} predictions to {args.output}")
    return 0


def export(args: argparse.Namespace) -> int:
    from ..export import export_run

    console = Console()
    result = export_run(args.run, args.output, opset=args.opset, force=args.force)
    for note in result.notes:
        console.warn(note)
    print(result.summary())
    return 0


def serve(args: argparse.Namespace) -> int:
    import os

    from ..serve.server import serve as serve_run

    return serve_run(args.run, args.host, args.port, args.token or os.environ.get(
        "LRNN_SERVE_TOKEN"), args.insecure, args.max_body, args.max_rows, args.cors,
        args.timeout, args.allowed_host, args.access_log)


def datasets(args: argparse.Namespace) -> int:
    from ..data.catalog import catalog

    print(f"{'dataset':<15} {'classes':>7}  present  where")
    for entry in catalog():
        print(f"{entry.name:<15} {entry.classes or '':>7}  {'yes' if entry.present else 'no ':<7}"
              f"  {entry.where}")
    return 0


def report(args: argparse.Namespace) -> int:
    from ..reporting.report import write

    print(f"wrote {write(Path(args.run))}")
    return 0


def compare(args: argparse.Namespace) -> int:
    from ..reporting.compare import write_comparison

    written = write_comparison(args.runs, Path(args.output), args.force)
    print(f"wrote {args.output} comparing {written} runs")
    return 0
