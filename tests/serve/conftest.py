"""The real `lrnn serve` in a subprocess on a free 127.0.0.1 port, runs trained once for it, and
a small HTTP client (urllib and raw sockets: nothing of the server's own stack)."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import lrnn_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CHILE = FIXTURES / "chile.csv"
URL_LINE = re.compile(r"on (http://\S+/) ")


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen

    def call(self, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None, timeout: float = 60):
        """(status, headers, parsed JSON or text) of one request."""
        request = urllib.request.Request(self.url.rstrip("/") + path, data=body,
                                         method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, head, raw = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, head, raw = error.code, dict(error.headers), error.read()
        kind = head.get("content-type", "")
        return status, head, json.loads(raw) if kind.startswith("application/json") else raw

    def post_json(self, payload, headers: dict[str, str] | None = None):
        return self.call("POST", "/predict", json.dumps(payload).encode(),
                         {"Content-Type": "application/json", **(headers or {})})

    def healthy(self) -> bool:
        status, _, body = self.call("GET", "/health")
        return status == 200 and body["status"] == "ok"


def start_server(run: Path, *flags: str, env: dict | None = None) -> Server:
    """`lrnn serve RUN --port 0 FLAGS` until /health answers; the port from its first line."""
    process = subprocess.Popen([sys.executable, "-m", "lrnn", "serve", str(run), "--port", "0",
                                *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=dict(os.environ, **(env or {})))
    line = process.stdout.readline()  # printed once the socket listens
    match = URL_LINE.search(line)
    if not match:
        process.kill()
        raise AssertionError(f"lrnn serve did not start: {line}{process.stderr.read()}")
    url = match.group(1)
    server = Server(url, int(url.rsplit(":", 1)[1].strip("/")), process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if server.healthy():
                return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise AssertionError("no /health within 60 s")


def stop(server: Server, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    if server.process.poll() is None:
        server.process.send_signal(sig)
    try:
        return server.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
        raise


@pytest.fixture
def serving():
    """start(run, *flags) -> Server; every server started is stopped at the end."""
    started = []

    def start(run: Path, *flags: str, env: dict | None = None) -> Server:
        started.append(start_server(run, *flags, env=env))
        return started[-1]

    yield start
    for server in started:
        stop(server)


@pytest.fixture(scope="session")
def mnist_mlp_run(readme_session) -> Path:
    """The default MNIST MLP (`lrnn train --dataset mnist --model mlp`): the run the README's
    Quick start made with that command."""
    from tests.readme_examples import run_folder

    return run_folder(readme_session[0], "mnist-mlp-*")


@pytest.fixture(scope="session")
def chile_files(tmp_path_factory) -> tuple[Path, Path]:
    """chile.csv split in two raw CSVs: the first 2,000 rows (less the one without an age) to
    train on, the rest to predict, with an unseen region, a sex left empty and gaps in age
    (neither has gaps in training)."""
    folder = tmp_path_factory.mktemp("chile")
    with open(CHILE, newline="") as f:
        rows = list(csv.DictReader(f))
    columns = list(rows[0])
    test = [dict(r) for r in rows[2000:]]
    for i, row in enumerate(test[:40]):
        if i % 4 == 0:
            row["region"] = "Atlantis"
        if i % 5 == 1:
            row["sex"] = ""
        if i % 3 == 2:
            row["age"] = ""
    paths = folder / "train.csv", folder / "predict.csv"
    train = [r for r in rows[:2000] if r["age"] not in ("", "NA")]
    for path, part in zip(paths, (train, test)):
        with open(path, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(part)
    return paths


@pytest.fixture(scope="session")
def chile_run(tmp_path_factory, chile_files) -> Path:
    """An MLP on chile.csv's vote: numbers with gaps (income, statusquo) and categories."""
    out = tmp_path_factory.mktemp("runs") / "chile-mlp"
    result = lrnn_cli("train", "--data", str(chile_files[0]), "--target", "vote", "--model",
                      "mlp", "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out
