"""`lrnn serve`: check the settings, load the run, bind the socket, run uvicorn until SIGTERM
or SIGINT, after which the requests in flight are answered and the process exits 0."""

from __future__ import annotations

import ipaddress
import signal
import socket
import sys
from contextlib import contextmanager

from ._lrnn import InputError
from .guard import LOOPBACK_NAMES, Limits

EXTRA_MODULES = ("fastapi", "uvicorn", "orjson")
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
SHUTDOWN_GRACE_S = 5  # beyond the request time limit, for answers still being sent


def require_extra() -> None:
    from importlib.util import find_spec

    missing = [name for name in EXTRA_MODULES if find_spec(name) is None]
    if missing:
        raise InputError(f"needs the serve extra ({', '.join(missing)} not installed): "
                         f"pip install 'lrnn[serve]'")


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: str | None, insecure: bool) -> None:
    """Another address than loopback needs a token, or --insecure said out loud."""
    if not is_loopback(host) and not token and not insecure:
        raise InputError(f"--host {host}: not a loopback address, so anyone who reaches it "
                         f"could use the model; pass --token TOKEN (clients then send "
                         f"'Authorization: Bearer TOKEN') or --insecure to serve without one")


def allowed_hosts(host: str, extra: list[str]) -> set[str] | None:
    """The Host header names answered (a check against DNS rebinding); None for any name,
    when the server listens on every address and no --allowed-host narrows it."""
    if host in WILDCARD_HOSTS and not extra:
        return None
    names = {name.lower() for name in LOOPBACK_NAMES} | {h.lower() for h in extra}
    if host not in WILDCARD_HOSTS:
        bare = host.strip("[]").lower()
        names |= {bare, f"[{bare}]"} if ":" in bare else {bare}
    return names


def bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        raise InputError(f"--host {host} --port {port}: cannot listen there "
                         f"({exc.strerror or exc})") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@contextmanager
def _signals_end_serving():
    """uvicorn answers SIGTERM and SIGINT by finishing the requests in flight, then raises the
    signal again to the handler it found; with this one, that ends in a plain return (exit 0)
    rather than the CLI's exit 143 or 130."""
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _one_blas_thread() -> None:
    """Requests run side by side, each forward pass on one thread: OpenBLAS's own threads
    made a 100-image forward pass 30x slower (18.7 ms against 0.6 ms, measured on 2 cores
    with other processes running), as they wait for cores the server's other work holds."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _redact_tokens() -> None:
    """Access-log lines show ?token=... as ?token=(hidden)."""
    import logging
    import re

    pattern = re.compile(r"(token=)[^&\s]*")

    def redact(record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(pattern.sub(r"\1(hidden)", a) if isinstance(a, str) else a
                                for a in record.args)
        return True

    logging.getLogger("uvicorn.access").addFilter(redact)


def serve(run_dir, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          insecure: bool = False, max_body: int = Limits.max_body,
          max_rows: int = Limits.max_rows, cors: list[str] | None = None,
          timeout: float = Limits.timeout, allowed_host: list[str] | None = None,
          access_log: bool = False, log=print) -> int:
    """Serve the run in `run_dir` until stopped; 0 after a signal."""
    require_extra()
    check_exposure(host, token, insecure)
    import uvicorn

    from .app import create_app
    from .model import ServedModel

    _one_blas_thread()
    model = ServedModel.load(run_dir)
    limits = Limits(max_body=max_body, max_rows=max_rows, timeout=timeout)
    app = create_app(model, limits, token, allowed_hosts(host, allowed_host or []), cors)
    sock = bind(host, port)
    config = uvicorn.Config(app, log_level="warning", access_log=access_log, lifespan="off",
                            proxy_headers=False, server_header=False, ws="none",
                            timeout_graceful_shutdown=int(timeout) + SHUTDOWN_GRACE_S)
    name, bound_port = sock.getsockname()[:2]
    shown = f"[{name}]" if ":" in name else name
    log(f"lrnn serve: {model.name} ({model.kind} model) on http://{shown}:{bound_port}/ "
        f"(docs at /docs; Ctrl-C or SIGTERM to stop)")
    if not is_loopback(host) and not token:
        print("lrnn: warning: serving without a token: anyone who reaches this address can use "
              "the model", file=sys.stderr)
    if access_log:  # uvicorn's access lines are at info, below the warning level it logs at
        import logging

        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
        _redact_tokens()
    sys.stdout.flush()
    with _signals_end_serving():
        uvicorn.Server(config).run(sockets=[sock])
    log("lrnn serve: stopped")
    return 0
