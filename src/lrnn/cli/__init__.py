"""The `lrnn` command: parse the arguments, run one command, turn errors into one line and an
exit code (errors.py)."""

from __future__ import annotations

import signal
import sys

from ..errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_TERMINATED, LrnnError


def _terminate(signum, frame):
    raise SystemExit(EXIT_TERMINATED)


def main(argv: list[str] | None = None) -> int:
    from .parser import build_parser

    raw_argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(raw_argv)
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

    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader of stdout left (`lrnn runs | head`): end quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        code = EXIT_BROKEN_PIPE
    gc.freeze()
    sys.exit(code)
