"""The `lrnn` command line: one subparser per command, each naming the function of
commands.py that runs it. Heavy libraries are imported by the commands that need them, so
`lrnn --help` starts fast."""

from __future__ import annotations

import argparse
import re

from .._version import __version__
from . import commands
from .arg_types import byte_count, positive_count, positive_seconds
from .train_flags import add_file_options, add_setting_flags
from .tune_flags import add_tune_flags


class Parser(argparse.ArgumentParser):
    """Usage errors as one line on stderr, exit 2, pointing to the help of the command they
    concern; flags are never abbreviated (`--epoch 3` is not `--epochs 3`), and a misspelled
    flag or command gets a "did you mean"."""

    def __init__(self, *args, **kwargs):
        # every parser, the commands' listed-only ones too, formats with lrnn's fixed width:
        # argparse's default formatter imports shutil to ask the terminal's (~3 ms)
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, allow_abbrev=False, **kwargs)
        self.commands: dict[str, argparse.ArgumentParser] = {}

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}{self._suggestion(message)} "
                     f"(see {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # argparse reports them from the top; the command they were given to says
            command = self.commands.get(getattr(parsed, "command", None), self)
            command.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _suggestion(self, message: str) -> str:
        import difflib  # only for a mistake: not on every command's start (~1 ms)

        if message.startswith("unrecognized arguments: "):
            words = message.removeprefix("unrecognized arguments: ").split()
            known = [s for a in self._actions for s in a.option_strings if s.startswith("--")]
            for word in (w.split("=")[0] for w in words if w.startswith("--")):
                longer = [k for k in known if k.startswith(word)]  # an abbreviation, spelled out
                close = longer if len(longer) == 1 else \
                    difflib.get_close_matches(word, known, n=1, cutoff=0.6)
                if close:
                    return f"; did you mean {close[0]}?"
        found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if found:
            options = re.findall(r"'([^']*)'", found.group(2))
            close = difflib.get_close_matches(found.group(1), options, n=1, cutoff=0.6)
            if close:
                return f"; did you mean '{close[0]}'?"
        return ""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str):
        super().__init__(prog, max_help_position=32, width=100)


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given `argv`, only the command it names gets its flags. The others
    are listed with their one-line help, all that `lrnn --help` and a misspelled command
    need: building every command's flags was ~5 ms of a ~0.18 s `lrnn predict`."""
    parser = Parser(prog="lrnn", description="Train logistic regression and neural network "
                                             "classifiers with PyTorch, end to end.")
    parser.add_argument("--version", action="version", version=f"lrnn {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    wanted = None if argv is None else _named_command(argv)
    for name, (one_line, func, description, add_flags) in COMMANDS.items():
        if wanted is not None and wanted != name:
            sub.add_parser(name, help=one_line)  # listed in `lrnn --help` only
            continue
        command = sub.add_parser(name, help=one_line, description=description)
        command.set_defaults(func=func)
        add_flags(command)
    parser.commands = dict(sub.choices)
    return parser


def _named_command(argv: list[str]) -> str:
    """The command `argv` names, if any: the top-level options take no values, so it is the
    first word that is not an option ("" when there is none)."""
    return next((arg for arg in argv if not arg.startswith("-")), "")


# name -> (one-line help, commands.py function, description, what adds its flags), in the
# order `lrnn --help` lists them; filled by @_command below
COMMANDS: dict[str, tuple] = {}


def _command(name: str, help: str, func, description: str | None = None):
    """Register the decorated function as the one that adds the command's flags."""
    def register(add_flags):
        COMMANDS[name] = (help, func, description or help[0].upper() + help[1:] + ".",
                          add_flags)
        return add_flags
    return register


def _run_argument(parser, name: str = "run", nargs=None, help: str = "run directory") -> None:
    parser.add_argument(name, metavar="RUN", nargs=nargs,
                        help=f"{help}; `latest` is the newest run under runs/")


def _labelled_file(parser, data_help: str) -> None:
    """--data FILE, --target COLUMN and how the file is written (evaluate, report)."""
    parser.add_argument("--data", default=None, metavar="FILE", help=data_help)
    parser.add_argument("--target", default=None, metavar="COLUMN",
                        help="--data: the column of true classes (default: the run's target; "
                             "needed for estimator and built-in dataset runs)")
    add_file_options(parser)


@_command("train", "train a model and save a run directory", commands.train,
          "Train a model and save a run directory. Settings come from the defaults, "
          "then --config, then flags.")
def _train(train) -> None:
    train.add_argument("--config", metavar="FILE.toml", default=argparse.SUPPRESS,
                       help="settings file: `name = value` lines with the flags' names")
    train.add_argument("--quiet", "-q", action="store_true", help="print only the result")
    train.add_argument("--nproc", type=positive_count, default=None, metavar="N",
                       help="train with N data-parallel processes on this machine (torchrun; "
                            "see README, Scaling out) (default: one process)")
    train.add_argument("--resume", metavar="RUN", default=None,
                       help="continue the run in RUN from its newest checkpoint (`latest`: the "
                            "newest run under runs/ with one); settings given with it may only "
                            "lengthen or re-time training (default: a new run)")
    add_setting_flags(train)


@_command("tune", "search hyperparameters (Optuna) and keep the best as a run",
          commands.tune, "Search hyperparameters with Optuna: each trial trains on "
          "the training split and is scored on the validation split; the best becomes "
          "DIR/best/, scored once on the test split. Every data and model flag of lrnn "
          "train is taken, and fixes that setting. Needs: pip install 'lrnn[tune]'.")
def _tune(tune) -> None:
    add_tune_flags(tune)


@_command("evaluate", "score a saved run on its test split or a labelled file",
          commands.evaluate)
def _evaluate(evaluate) -> None:
    _run_argument(evaluate)
    evaluate.add_argument("--dataset", default=None,
                          help="dataset to score on (default: the run's own)")
    evaluate.add_argument("--data-dir", default=None, metavar="DIR",
                          help="folder holding the dataset's four IDX files (default: located "
                               "as in train)")
    _labelled_file(evaluate, "a labelled table file to score on, with the columns the model "
                             "reads (default: the run's own test split)")
    evaluate.add_argument("-o", "--output", default=None, metavar="FILE.json",
                          help="also write the full metrics as JSON (default: print only)")
    evaluate.add_argument("--force", action="store_true",
                          help="overwrite FILE.json if it exists (default: refuse)")


@_command("predict", "predict classes for new inputs", commands.predict)
def _predict(predict) -> None:
    _run_argument(predict)
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
    add_file_options(predict)


@_command("report", "rebuild a run's report.html from its files",
          commands.report)
def _report(report) -> None:
    _run_argument(report)
    _labelled_file(report, "a labelled table file whose scores the report shows as its test "
                           "metrics (an estimator's folder has none of its own)")


@_command("compare", "one HTML page comparing runs side by side",
          commands.compare)
def _compare(compare) -> None:
    _run_argument(compare, "runs", "+", "run directories")
    compare.add_argument("-o", "--output", required=True, metavar="FILE.html",
                         help="the page to write (self-contained: open it from disk)")
    compare.add_argument("--force", action="store_true",
                         help="overwrite FILE.html if it exists (default: refuse)")


@_command("runs", "list saved runs, newest first", commands.runs,
          "List the runs in a folder, newest first: name, data, model, test accuracy "
          "and when each was made.")
def _runs(runs) -> None:
    runs.add_argument("--dir", default="runs", metavar="DIR",
                      help="folder holding run directories (default: runs)")


@_command("export", "write a run as one ONNX file, preprocessing inside",
          commands.export, "Write a run as one ONNX file that takes raw rows or raw "
          "images; checked with onnxruntime against lrnn predict before it is "
          "written (pip install 'lrnn[export]').")
def _export(export) -> None:
    _run_argument(export)
    export.add_argument("-o", "--output", required=True, metavar="FILE.onnx",
                        help="the ONNX file to write")
    export.add_argument("--opset", type=positive_count, default=None, metavar="N",
                        help="ONNX opset to stamp the graph with (default: 18)")
    export.add_argument("--force", action="store_true",
                        help="overwrite FILE.onnx if it exists (default: refuse)")


@_command("serve", "serve a run's predictions over HTTP, with a page to try the "
          "model", commands.serve, "Serve a run over HTTP: GET / (a page to try the "
          "model), /health, /metadata, /docs;\nPOST /predict (JSON or CSV). Needs the "
          "serve extra: pip install 'lrnn[serve]'.")
def _serve(serve) -> None:
    _run_argument(serve)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on; another than loopback needs --token or "
                            "--insecure (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="0 picks a free one (default: 8000)")
    serve.add_argument("--token", default=None,
                       help="require 'Authorization: Bearer TOKEN' on every route but /health "
                            "(default: $LRNN_SERVE_TOKEN, else none)")
    serve.add_argument("--insecure", action="store_true",
                       help="allow another address than loopback without a token")
    serve.add_argument("--max-body", type=byte_count, default=8 << 20, metavar="BYTES",
                       help="larger request bodies get 413 (default: 8MiB)")
    serve.add_argument("--max-rows", type=positive_count, default=10_000, metavar="N",
                       help="requests with more rows or images get 413 (default: 10000)")
    serve.add_argument("--timeout", type=positive_seconds, default=10.0, metavar="SECONDS",
                       help="requests not answered in time get 503 (default: 10)")
    serve.add_argument("--cors", action="append", default=None, metavar="ORIGIN",
                       help="let pages from ORIGIN call the API (repeatable) (default: none)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="another name the Host header may give (repeatable) (default: "
                            "loopback names and the --host address)")
    serve.add_argument("--access-log", action="store_true",
                       help="log every request on stdout (default: errors only)")


@_command("datasets", "list datasets, whether present and from where",
          commands.datasets)
def _datasets(datasets) -> None:
    datasets.add_argument("--folder", metavar="NAME", default=None,
                          help="print only the folder holding NAME's files (mnist, "
                               "fashion-mnist), for scripts")
