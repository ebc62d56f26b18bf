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


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    groups = {key: parser.add_argument_group(title) for key, title in GROUP_TITLES.items()}
    for f in fields(RunConfig):
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
    predict.add_argument("--prepare-digits", action="store_true",
                         help="prepare images of any size as MNIST's digits were (white on "
                              "black, cropped, fit to 20x20, centred by mass) before predicting "
                              "(default: take images as they are, of the trained size)")
    _add_file_options(predict)
    predict.set_defaults(func=commands.predict)

    _add_report_commands(sub)
    _add_serve_command(sub)
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


def _byte_count(text: str) -> int:
    """A size in bytes: 8388608, 512KiB, 8MiB."""
    units = {"": 1, "k": 1000, "kb": 1000, "kib": 1 << 10, "m": 10**6, "mb": 10**6,
             "mib": 1 << 20, "g": 10**9, "gb": 10**9, "gib": 1 << 30}
    number = text.strip().lower().rstrip("bikmg") or "x"
    unit = text.strip().lower()[len(number):]
    if not number.isdigit() or unit not in units or int(number) < 1:
        raise argparse.ArgumentTypeError(f"expected a size in bytes such as 8388608 or 8MiB, "
                                         f"found {text!r}")
    return int(number) * units[unit]


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, found {text!r}")
    return seconds


def _add_serve_command(sub) -> None:
    from . import commands

    serve = sub.add_parser("serve", help="serve a run's predictions over HTTP, with a page to "
                           "try the model", formatter_class=HelpFormatter,
                           description="Serve a run over HTTP: GET / (a page to try the "
                                       "model), /health, /metadata, /docs;\nPOST /predict (JSON "
                                       "or CSV). Needs the serve extra: pip install "
                                       "'lrnn[serve]'.")
    serve.add_argument("run", metavar="RUN", help="run directory")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on; another than loopback needs --token or "
                            "--insecure (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free one (default: 8000)")
    serve.add_argument("--token", default=None,
                       help="require 'Authorization: Bearer TOKEN' on every route but /health "
                            "(default: $LRNN_SERVE_TOKEN, else none)")
    serve.add_argument("--insecure", action="store_true",
                       help="allow another address than loopback without a token")
    serve.add_argument("--max-body", type=_byte_count, default=8 << 20, metavar="BYTES",
                       help="larger request bodies get 413 (default: 8MiB)")
    serve.add_argument("--max-rows", type=_positive_count, default=10_000, metavar="N",
                       help="requests with more rows or images get 413 (default: 10000)")
    serve.add_argument("--timeout", type=_positive_seconds, default=10.0, metavar="SECONDS",
                       help="requests not answered in time get 503 (default: 10)")
    serve.add_argument("--cors", action="append", default=None, metavar="ORIGIN",
                       help="let pages from ORIGIN call the API (repeatable) (default: none)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="another name the Host header may give (repeatable) (default: "
                            "loopback names and the --host address)")
    serve.add_argument("--access-log", action="store_true",
                       help="log every request on stdout (default: errors only)")
    serve.set_defaults(func=commands.serve)


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
