"""The `lrnn` command: parse the arguments, run one command, turn errors into one line and an
exit code (errors.py)."""

from __future__ import annotations

import signal
import sys

from ..errors import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_TERMINATED, LrnnError


def _terminate(signum, frame):
    raise SystemExit(EXIT_TERMINATED)


def main(argv: list[str] | None = None) -> int:
    from .startup import no_cycle_collection

    raw_argv = list(sys.argv[1:] if argv is None else argv)
    with no_cycle_collection():  # the parser's imports: ~2 ms of collections otherwise
        from .parser import build_parser

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
    """The `lrnn` command: main(), then exit without the interpreter's teardown."""
    from .startup import own_process

    own_process()
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader of stdout left (`lrnn runs | head`): end quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no flush error at exit
        code = EXIT_BROKEN_PIPE
    exit_now(code)


def exit_now(code: int) -> None:
    """End the process as sys.exit would, without the interpreter's teardown: with torch loaded,
    freeing every module's objects one by one and running libtorch's destructors took
    ~0.1 s after each command (`lrnn train`: 2.54 -> 2.45 s, benchmarks/RESULTS.md), and 0.8 s
    more when the final garbage collection walked them (gc.freeze, the fallback below, skips
    that). The exit handlers still run (figure and trial workers reaped, temporary folders
    removed) and stdout and stderr are flushed; every file lrnn writes is closed by then. A
    thread that is not a daemon still running (none of lrnn's, but a caller's plugin could
    start one) gets the normal exit, which waits for it."""
    import atexit
    import gc
    import os
    import threading

    gc.freeze()
    main_thread = threading.main_thread()
    if not isinstance(code, int) or any(t is not main_thread and not t.daemon
                                        for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: nothing more to tell it
            pass
    os._exit(code)
