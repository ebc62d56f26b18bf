"""What benchmarks/serve.py measures on: the lrnn runs (trained here with `lrnn train`), the
peer's scikit-learn pipelines for the same tasks (saved with joblib), the request bodies, and
the servers, each started on a free 127.0.0.1 port and stopped with SIGTERM."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.peers.common import load_split
from benchmarks.spawn import busy_cpu_seconds

REPO_ROOT = Path(__file__).resolve().parent.parent
CHILE = REPO_ROOT / "tests" / "fixtures" / "chile.csv"
TARGET = "vote"
PAYLOADS_PER_SIZE = 64  # distinct bodies per request size, sent in turn
PEER_EPOCHS = 3  # the peer's MLP trains briefly: its speed, not its accuracy, is measured


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")


def json_cell(text: str):
    """A CSV cell as JSON carries it: a number, text, or null when missing."""
    if text in ("", "NA"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _chunks(items: list, size: int, count: int) -> list[bytes]:
    return [json.dumps({"instances": items[i * size:(i + 1) * size]}).encode()
            for i in range(count)]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen


@dataclass
class Setup:
    work: Path
    env: dict
    runs: dict[str, Path] = field(default_factory=dict)
    peers: dict[str, Path] = field(default_factory=dict)
    payloads: dict[str, dict[int, list[bytes]]] = field(default_factory=dict)
    big_csv: bytes = b""

    @classmethod
    def prepare(cls, work: Path, data_dir: Path, csv_rows: int) -> "Setup":
        env = dict(os.environ, LRNN_DATA_DIR=str(data_dir))
        setup = cls(work, env)
        setup._mnist(data_dir / "mnist")
        setup._chile(csv_rows)
        return setup

    def _mnist(self, mnist: Path) -> None:
        import joblib

        from benchmarks.peers.sklearn_serve import fit_image_pipeline

        run = self.runs["mnist"] = self.work / "mnist-mlp"
        if not (run / "model.json").exists():
            _run([sys.executable, "-m", "lrnn", "train", "--dataset", "mnist", "--model", "mlp",
                  "--out", str(run), "-q"], self.env)
        hidden = tuple(json.loads((run / "model.json").read_text())["architecture"][
            "hidden_layer_sizes"])
        images, labels = load_split(mnist, "train")
        test, _ = load_split(mnist, "test")
        peer = self.peers["mnist"] = self.work / "mnist-mlp.joblib"
        if not peer.exists():
            joblib.dump(fit_image_pipeline(images, labels, hidden, PEER_EPOCHS), peer)
        pictures = test[:100 * PAYLOADS_PER_SIZE].tolist()
        self.payloads["mnist"] = {1: _chunks(pictures, 1, PAYLOADS_PER_SIZE),
                                  100: _chunks(pictures, 100, PAYLOADS_PER_SIZE)}

    def _chile(self, csv_rows: int) -> None:
        import csv

        import joblib
        import pandas as pd

        from benchmarks.peers.sklearn_serve import fit_table_pipeline

        run = self.runs["csv"] = self.work / "chile-mlp"
        if not (run / "model.json").exists():
            _run([sys.executable, "-m", "lrnn", "train", "--data", str(CHILE), "--target",
                  TARGET, "--model", "mlp", "--out", str(run), "-q"], self.env)
        info = json.loads((run / "model.json").read_text())
        columns = info["preprocessing"]["columns"]
        numeric = [c["name"] for c in columns if c["type"] == "numeric"]
        categorical = [c["name"] for c in columns if c["type"] == "categorical"]
        peer = self.peers["csv"] = self.work / "chile-mlp.joblib"
        if not peer.exists():
            frame = pd.read_csv(CHILE)
            pipeline = fit_table_pipeline(frame.drop(columns=[TARGET]), frame[TARGET], numeric,
                                          categorical, tuple(info["architecture"][
                                              "hidden_layer_sizes"]))
            joblib.dump(pipeline, peer)
        with open(CHILE, newline="") as f:
            rows = [{k: json_cell(v) for k, v in row.items() if k != TARGET}
                    for row in csv.DictReader(f)]
        rows = (rows * (100 * PAYLOADS_PER_SIZE // len(rows) + 1))[:100 * PAYLOADS_PER_SIZE]
        self.payloads["csv"] = {1: _chunks(rows, 1, PAYLOADS_PER_SIZE),
                                100: _chunks(rows, 100, PAYLOADS_PER_SIZE)}
        lines = CHILE.read_text().splitlines()
        body = (lines[1:] * (csv_rows // (len(lines) - 1) + 1))[:csv_rows]
        self.big_csv = ("\n".join([lines[0], *body]) + "\n").encode()

    @contextlib.contextmanager
    def start(self, system: str, task: str):
        port = free_port()
        if system == "lrnn":
            command = [sys.executable, "-m", "lrnn", "serve", str(self.runs[task]), "--port",
                       str(port)]
        else:
            command = [sys.executable, "-m", "benchmarks.peers.sklearn_serve",
                       str(self.peers[task]), "--kind", "image" if task == "mnist" else "table",
                       "--port", str(port)]
        log = open(self.work / f"{system}-{task}.log", "ab")
        process = subprocess.Popen(command, env=self.env, cwd=REPO_ROOT, stdout=log, stderr=log)
        try:
            wait_for_health(port, process)
            yield Server(f"{system} {task}", port, process)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_health(port: int, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port}: no /health within {timeout:.0f} s")


def _process_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int) -> tuple[float, float, float]:
    """(all CPU busy, the server's, this process's) in seconds."""
    own = os.times()
    return busy_cpu_seconds(), _process_cpu_seconds(server_pid), own.user + own.system


def others_share(before: tuple[float, float, float], server_pid: int, wall: float) -> float:
    """The share of all cores that other processes than the server and this client took."""
    after = cpu_snapshot(server_pid)
    others = (after[0] - before[0]) - (after[1] - before[1]) - (after[2] - before[2])
    return min(max(others / ((os.cpu_count() or 1) * wall), 0.0), 1.0)
