"""The `lrnn` command: parses arguments, calls the commands, maps errors to exit codes.

Train flags are generated from RunConfig's fields, so a flag and its TOML key are always the
same name. Only this module and `commands` import argparse-level concerns; heavy libraries are
imported by the commands that need them, so `lrnn --help` starts fast.
"""

from __future__ import annotations

import argparse
import signal
import sys
from dataclasses import fields

from . import __version__
from .config import SETTINGS, RunConfig
from .errors import LrnnError
from .recipes import describe_default

GROUP_TITLES = {"data": "data", "model": "model", "training": "training", "output": "output"}
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str):
        super().__init__(prog, max_help_position=32, width=100)


def _add_setting_flags(parser: argparse.ArgumentParser, skip: tuple[str, ...] = ()) -> None:
    groups = {key: parser.add_argument_group(title) for key, title in GROUP_TITLES.items()}
    for f in fields(RunConfig):
        if f.name in skip:
            continue
        meta = f.metadata
        flag = "--" + f.name.replace("_", "-")
        text = f"{meta['help']} (default: {describe_default(f.name, f.default)})"
        group = groups[meta["group"]]
        if f.type == "bool":
            group.add_argument(flag, action=argparse.BooleanOptionalAction,
                               default=argparse.SUPPRESS, help=text)
        else:
            options = getattr(meta["parse"], "options", None)
            metavar = "{" + ",".join(options) + "}" if options else meta["metavar"]
            group.add_argument(flag, dest=f.name, default=argparse.SUPPRESS, help=text,
                               metavar=metavar or f.name.upper())


def _add_file_options(parser: argparse.ArgumentParser) -> None:
    from .config import SETTINGS, parse_setting

    def delimiter(text: str) -> str:
        try:
            return parse_setting("delimiter", text, "--delimiter")
        except LrnnError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parser.add_argument("--delimiter", type=delimiter, default=None, metavar="CHAR",
                        help=SETTINGS["delimiter"].metadata["help"].removeprefix("--data: ")
                        + " (default: , or tab for .tsv)")
    parser.add_argument("--decimal", choices=(".", ","), default=".",
                        help="decimal mark in numbers (default: .)")
    parser.add_argument("--encoding", default="utf-8",
                        help="text encoding of table files (default: utf-8)")


def _positive_count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    from . import commands

    parser = Parser(prog="lrnn", formatter_class=HelpFormatter,
                    description="Train logistic regression and neural network classifiers "
                                "with PyTorch, end to end.")
    parser.add_argument("--version", action="version", version=f"lrnn {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True

    train = sub.add_parser("train", help="train a model and save a run directory",
                           formatter_class=HelpFormatter,
                           description="Train a model and save a run directory. Settings come "
                                       "from the defaults, then --config, then flags.")
    train.add_argument("--config", metavar="FILE.toml", default=argparse.SUPPRESS,
                       help="settings file: `name = value` lines with the flags' names")
    train.add_argument("--quiet", "-q", action="store_true", help="print only the result")
    train.add_argument("--nproc", type=_positive_count, default=None, metavar="N",
                       help="train with N data-parallel processes on this machine (torchrun; "
                            "see README, Scaling out) (default: one process)")
    train.add_argument("--resume", metavar="RUN", default=None,
                       help="continue the run in RUN from its newest checkpoint; settings given "
                            "with it may only lengthen or re-time training (default: a new run)")
    _add_setting_flags(train)
    train.set_defaults(func=commands.train)

    evaluate = sub.add_parser("evaluate", help="score a saved run on a dataset's test split",
                              formatter_class=HelpFormatter)
    evaluate.add_argument("run", metavar="RUN", help="run directory")
    evaluate.add_argument("--dataset", default=None,
                          help="dataset to score on (default: the run's own)")
    evaluate.add_argument("--data-dir", default=None, metavar="DIR",
                          help="folder holding the dataset's four IDX files (default: located "
                               "as in train)")
    evaluate.add_argument("--data", default=None, metavar="FILE",
                          help="a labelled table file to score on, for runs trained on --data "
                               "(default: the run's own test split)")
    _add_file_options(evaluate)
    evaluate.add_argument("-o", "--output", default=None, metavar="FILE.json",
                          help="also write the full metrics as JSON (default: print only)")
    evaluate.set_defaults(func=commands.evaluate)

    predict = sub.add_parser("predict", help="predict classes for new inputs",
                             formatter_class=HelpFormatter)
    predict.add_argument("run", metavar="RUN", help="run directory")
    predict.add_argument("inputs", metavar="INPUT", nargs="+",
                         help="for table models a .csv/.tsv/.parquet file with the training "
                              "columns; for image models an IDX images file, a .npy array, or "
                              "image files of the trained size")
    predict.add_argument("-o", "--output", required=True, metavar="OUT.csv",
                         help="CSV with the predicted label and one probability per class")
    predict.add_argument("--force", action="store_true",
                         help="overwrite OUT.csv if it exists (default: refuse)")
    _add_file_options(predict)
    predict.set_defaults(func=commands.predict)

    _add_report_commands(sub)
    _add_tune_command(sub)
    datasets = sub.add_parser("datasets", help="list datasets, whether present and from where",
                              formatter_class=HelpFormatter)
    datasets.set_defaults(func=commands.datasets)
    return parser


def _add_report_commands(sub) -> None:
    from . import commands

    report = sub.add_parser("report", help="rebuild a run's report.html from its files",
                            formatter_class=HelpFormatter)
    report.add_argument("run", metavar="RUN", help="run directory")
    report.set_defaults(func=commands.report)

    compare = sub.add_parser("compare", help="one HTML page comparing runs side by side",
                             formatter_class=HelpFormatter)
    compare.add_argument("runs", metavar="RUN", nargs="+", help="run directories")
    compare.add_argument("-o", "--output", required=True, metavar="FILE.html",
                         help="the page to write (self-contained: open it from disk)")
    compare.add_argument("--force", action="store_true",
                         help="overwrite FILE.html if it exists (default: refuse)")
    compare.set_defaults(func=commands.compare)


def _add_tune_command(sub) -> None:
    from . import commands

    tune = sub.add_parser(
        "tune", help="search hyperparameters (Optuna) and keep the best as a run",
        formatter_class=HelpFormatter,
        description="Search hyperparameters with Optuna: each trial trains on the training "
                    "split and is scored on the validation split; the best becomes DIR/best/, "
                    "scored once on the test split. Every data and model flag of lrnn train is "
                    "taken, and fixes that setting. Needs: pip install 'lrnn[tune]'.")
    search = tune.add_argument_group("search")
    search.add_argument("--trials", type=_positive_count, default=None, metavar="N",
                        help="finished trials the study should have; re-running continues to "
                             "N (default: 30, or unlimited with --timeout)")
    search.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="start no trial after this long (default: none)")
    search.add_argument("--space", default=None, metavar="FILE.toml",
                        help="search space replacing the default one (see README)")
    search.add_argument("--metric", choices=("val_loss", "accuracy", "f1", "roc_auc"),
                        default="val_loss", help="validation score to optimize; f1 is "
                                                 "macro-averaged (default: val_loss)")
    search.add_argument("--sampler", choices=("tpe", "random"), default="tpe",
                        help="how trials are proposed (default: tpe)")
    search.add_argument("--pruner", choices=("median", "halving", "none"), default="median",
                        help="how poor trials are stopped early; lbfgs trials never are "
                             "(default: median)")
    search.add_argument("--out", default=None, metavar="DIR",
                        help="the study's folder: journal, best/, trials.csv, study.html "
                             "(default: runs/tune-<dataset>-<model>)")
    search.add_argument("--workers", type=_positive_count, default=1, metavar="K",
                        help="trials run at once by K processes on this machine (default: 1)")
    search.add_argument("--storage", default=None, metavar="URL",
                        help="postgresql://... or mysql+pymysql://...: a database that workers "
                             "on other machines join (default: a journal file in DIR)")
    search.add_argument("--study", default=None, metavar="NAME",
                        help="the study's name in the storage (default: <dataset>-<model>)")
    tune.add_argument("--config", metavar="FILE.toml", default=argparse.SUPPRESS,
                      help="fixed settings file, as for lrnn train")
    _add_setting_flags(tune, skip=("out",))
    tune.set_defaults(func=commands.tune)


def _terminate(signum, frame):
    raise SystemExit(EXIT_TERMINATED)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    raw_argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(raw_argv)
    args.raw_argv = raw_argv
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args) or 0
    except LrnnError as exc:
        if args.debug:
            raise
        kind = "" if exc.exit_code in (EXIT_INTERRUPTED, EXIT_TERMINATED) else "error: "
        print(f"lrnn {args.command}: {kind}{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"lrnn {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def run_program() -> None:
    """The `lrnn` command: main(), then exit without the interpreter's final sweep through
    every object torch, scikit-learn and matplotlib created (about 0.8 s of a 2-core machine's
    time per command, measured in benchmarks/RESULTS.md); files are closed by then."""
    import gc

    code = main()
    sys.stdout.flush()
    gc.freeze()
    sys.exit(code)


def setting_values(args: argparse.Namespace) -> dict:
    """The train settings given as flags (only those given), by config name."""
    return {name: value for name, value in vars(args).items() if name in SETTINGS}
