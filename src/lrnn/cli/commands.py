"""What each `lrnn` subcommand does with its parsed arguments: call one function of a stage
and print what it gives back. No logic that a notebook or a test would want lives here."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import DEFAULT_DATASET, IDX_DATASETS
from ..console import Console
from .startup import no_cycle_collection, without_pandas
from .train_flags import file_format, given_settings


def resolve_run(text: str, resumable: bool = False) -> str:
    """A RUN argument as the folder's path, as given (`latest`: the newest run under runs/)."""
    from ..artifacts.run_index import resolve_run as resolve

    return str(resolve(text, resumable))


def train(args: argparse.Namespace) -> int:
    from ..config import build_config

    values = given_settings(args)
    # bad settings fail here, before any process is started
    config = None if args.resume else build_config(values)
    if args.resume:
        args.resume = resolve_run(args.resume, resumable=True)
    if args.nproc:
        from .launch import launch_torchrun

        return launch_torchrun(args.nproc, args.raw_argv)
    with without_pandas():
        result, process = _train_in_process(args, config, values)
    if process.is_main and args.quiet:
        print(f"test accuracy {result.metrics['test']['accuracy']:.2%}  {result.run_dir}")
    elif process.is_main:
        print(next_steps(result.run_dir, config or result.config))
    return 0


def _train_in_process(args: argparse.Namespace, config, values: dict):
    """The data read early, the figure worker started, torch imported, the run trained."""
    if config is not None and config.data is None:
        from ..data.idx import early_read

        early_read.start(config.dataset or DEFAULT_DATASET, config.data_dir)
    elif config is not None:  # a bad small table is refused here, before torch is imported
        from ..data.tables import early_check

        early_check.start_for(config)
    from ..reporting import figure_worker

    # the run's figures are drawn by a worker that warms up from now on, while torch imports
    # and the model trains (none for --no-plots)
    with figure_worker.running(None if config is None or config.plots else 0):
        with no_cycle_collection():
            from ..engine import train_or_resume
            from ..training import distributed  # imports torch

        with distributed.session() as process:
            console = Console(quiet=args.quiet) if process.is_main else Console.silent()
            return train_or_resume(values, args.resume, console), process


def tune(args: argparse.Namespace) -> int:
    from ..tune import Options, tune as search

    values = {k: v for k, v in given_settings(args).items() if k != "out"}
    from ..reporting import figure_worker

    # best/'s figures are drawn by a figure worker, started now: it warms up during the trials
    with without_pandas(), figure_worker.running(0 if values.get("plots") is False else None):
        return search(values, Options(args.trials, args.timeout, args.space, args.metric,
                                      args.sampler, args.pruner, args.out, args.workers,
                                      args.storage, args.study, args.refit))


def next_steps(run_dir: Path, config) -> str:
    """Where the report is and the commands that use the run, as the run's last lines."""
    from importlib.util import find_spec

    inputs = "NEW_ROWS.csv" if config.data or config.dataset not in IDX_DATASETS else \
        "IMAGES (IDX, .npy or image files)"
    lines = [f"report: {run_dir / 'report.html'}",
             f"next:   lrnn predict {run_dir} {inputs} -o predictions.csv",
             f"        lrnn evaluate {run_dir}"]
    if find_spec("lrnn.serve") is not None:
        lines.append(f"        lrnn serve {run_dir}")
    return "\n".join(lines + ["        lrnn runs   (every run, newest first; `latest` names the "
                               "newest)"])


def evaluate(args: argparse.Namespace) -> int:
    from ..artifacts.files import check_output_file, write_json
    from ..predict.scoring import evaluate_run

    if args.output:  # before any work: the same rules as predict's -o
        check_output_file(Path(args.output), [p for p in (args.run, args.data) if p],
                          args.force, kind="JSON")
    args.run = resolve_run(args.run)
    with without_pandas():
        metrics, what = evaluate_run(args.run, Console(), args.dataset, args.data_dir,
                                     args.data, file_format(args), args.target)
    print(f"{args.run} on {what} ({metrics['n']:,} rows): accuracy {metrics['accuracy']:.2%}  "
          f"loss {metrics['loss']:.4f}")
    if args.output:
        write_json(Path(args.output), {"test": metrics})
    return 0


def predict(args: argparse.Namespace) -> int:
    with no_cycle_collection():  # numpy's import: ~6 ms of collections otherwise
        if len(args.inputs) == 1:  # an IDX file starts inflating before numpy is imported
            from ..data.idx import early_file
            from ..data.idx.format import IMAGES_NDIM

            early_file.start(args.inputs[0], IMAGES_NDIM)
        from ..predict.files import predict_files

    with without_pandas():
        rows = predict_files(resolve_run(args.run), args.inputs, args.output, Console(),
                             args.force, file_format(args), args.prepare_digits)
    print(f"wrote {rows:,} predictions to {args.output}")
    return 0


def export(args: argparse.Namespace) -> int:
    from ..export import export_run

    console = Console()
    result = export_run(resolve_run(args.run), args.output, opset=args.opset, force=args.force)
    for note in result.notes:
        console.warn(note)
    print(result.summary())
    return 0


def serve(args: argparse.Namespace) -> int:
    import os

    from ..serve.server import serve as serve_run

    return serve_run(resolve_run(args.run), args.host, args.port, args.token or os.environ.get(
        "LRNN_SERVE_TOKEN"), args.insecure, args.max_body, args.max_rows, args.cors,
        args.timeout, args.allowed_host, args.access_log)


def datasets(args: argparse.Namespace) -> int:
    from ..data.catalog import catalog, folder_of

    if args.folder:
        print(folder_of(args.folder))
        return 0
    print(f"{'dataset':<15} {'classes':>7}  present  where")
    for entry in catalog():
        print(f"{entry.name:<15} {entry.classes or '':>7}  {'yes' if entry.present else 'no ':<7}"
              f"  {entry.where}")
    return 0


def runs(args: argparse.Namespace) -> int:
    from ..artifacts.run_index import list_runs

    if args.dir == "runs" and not Path(args.dir).exists():
        print("no runs in runs/ yet: `lrnn train` saves them there")
        return 0
    entries = list_runs(args.dir)
    if not entries:
        print(f"no runs in {args.dir}")
        return 0
    width = max(len(e.path.name) for e in entries)
    print(f"{'run':<{width}}  {'data':<15} {'model':<20} {'test acc':>8}  date")
    for e in entries:
        accuracy = f"{e.accuracy:.2%}" if e.accuracy is not None else "-"
        print(f"{e.path.name:<{width}}  {e.data:<15} {e.model:<20} {accuracy:>8}  {e.date}"
              + (f"  ({e.problem})" if e.problem else ""))
    return 0


def report(args: argparse.Namespace) -> int:
    from ..reporting.report import write

    run, scored = resolve_run(args.run), None
    if args.data:
        from ..predict.scoring import evaluate_run

        with without_pandas():
            metrics, what = evaluate_run(run, Console(), data=args.data, fmt=file_format(args),
                                         target=args.target)
        scored = {"test": metrics, "scored_on": f"{what} ({metrics['n']:,} rows)"}
    elif args.target:
        from ..errors import InputError

        raise InputError("--target: applies with --data FILE only")
    print(f"wrote {write(Path(run), scored=scored)}")
    return 0


def compare(args: argparse.Namespace) -> int:
    from ..reporting.compare import write_comparison

    written = write_comparison([resolve_run(run) for run in args.runs], Path(args.output),
                               args.force)
    print(f"wrote {args.output} comparing {written} runs")
    return 0
