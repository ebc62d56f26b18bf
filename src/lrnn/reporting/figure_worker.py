"""Drawing a run's figures in a second process, started when `lrnn train` starts.

Why: after training, the figures were most of a logistic regression's wall time (~1.2 s of
CPU for MNIST's seven, plus ~0.45 s to import matplotlib), drawn while the machine's second
core sat idle. The worker is a fresh `python -m lrnn.reporting.figure_worker` (never a fork of
`lrnn train`: torch may be loaded there): it imports matplotlib and draws a small figure while
`lrnn train` imports torch and trains (a logistic regression trains on one thread), then waits.
When the run is saved it is handed the figure jobs (run_figures.plan) through two files in the
staging folder, JSON and an .npz of the arrays, read back without pickle, and draws them while
`lrnn train` writes the other files; the report waits for the figures. On Linux the worker
forks itself once the jobs arrive (it holds no torch and no threads) and the two halves draw
half the figures each: both cores draw, and the fork costs no second matplotlib import. The
worker's side is figure_process.py.

A worker that is missing, fails or takes too long costs nothing but time: every figure it did
not report drawn is drawn by `lrnn train` itself with the same code (the same PNG bytes). The
worker ends when its job is done or its parent exits (its stdin closes; on Linux the
parent-death signal too), and `running()` kills its process group when the command ends any
other way. LRNN_FIGURE_WORKERS sets how many processes draw (0: no worker).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

PROCESSES = 2  # drawing processes: the worker and one fork of it (benchmarks/RESULTS.md)
WAIT_S = 120.0  # longest wait for the worker's figures before drawing them here
SCRATCH = ".figure-jobs"  # in the staging folder, removed before the run is published
# the worker's share of the machine: one thread each, no BLAS pools to copy into a fork
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_idle: list["FigureWorker"] = []  # started for this command, not handed its job yet


class FigureWorker:
    def __init__(self, process: subprocess.Popen):
        self.process = process

    @classmethod
    def start(cls, processes: int) -> "FigureWorker | None":
        if not sys.executable:
            return None
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", f"{__package__}.figure_process", str(os.getpid()),
                 str(processes)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={**os.environ, **WORKER_ENV}, start_new_session=True)
        except OSError:
            return None
        return cls(process)

    def send(self, job_file: Path) -> bool:
        try:
            self.process.stdin.write(f"{json.dumps(str(job_file))}\n".encode())
            self.process.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def wait(self, timeout: float) -> list[str]:
        """The names of the figures the worker drew ([] if it failed or timed out)."""
        import selectors

        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout)
        try:
            reply = json.loads(self.process.stdout.readline()) if ready else {}
        except (OSError, ValueError):
            reply = {}
        self.stop()
        if not isinstance(reply, dict):
            return []
        for note in reply.get("warnings", []):  # as drawing here would have shown them
            warnings.warn(str(note), stacklevel=2)
        return [name for name in reply.get("drawn", []) if isinstance(name, str)]

    def stop(self) -> None:
        """End the worker and its fork, whatever they are doing, and reap it."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # its own session: it and its fork
            except (OSError, AttributeError):  # no process group to signal
                self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


def default_processes() -> int:
    """How many processes a worker draws with: LRNN_FIGURE_WORKERS, or PROCESSES."""
    return int(os.environ.get("LRNN_FIGURE_WORKERS", PROCESSES))


@contextmanager
def running(processes: int | None = None):
    """A worker with `processes` drawing processes (default PROCESSES, or LRNN_FIGURE_WORKERS)
    for the duration of a command, killed at its end if still running. Under torchrun only
    process 0 writes the run, so only it starts one."""
    if processes is None:
        processes = default_processes()
    worker = None
    if processes > 0 and os.environ.get("RANK", "0") == "0":
        worker = FigureWorker.start(processes)
    if worker is not None:
        _idle.append(worker)
    try:
        yield
    finally:
        if worker is not None:
            worker.stop()
            if worker in _idle:
                _idle.remove(worker)


class Handover:
    """Figure jobs given to this command's worker, if it has one; `finish` waits for it and
    returns the jobs still to draw here. `close` (always, in a finally) leaves no worker
    running and no scratch file in the staging folder."""

    def __init__(self, jobs: list, folder: Path):
        self.jobs, self.folder = jobs, Path(folder)
        self.scratch = self.folder.parent / SCRATCH
        self.worker = _idle.pop() if _idle else None
        if self.worker is not None and not self._give():
            self.worker.stop()
            self.worker = None

    def _give(self) -> bool:
        try:
            self.scratch.mkdir()
            return bool(self.jobs) and self.worker.send(
                write_jobs(self.jobs, self.folder, self.scratch / "jobs"))
        except (OSError, TypeError, ValueError):  # then the jobs are drawn here
            return False

    def finish(self, timeout: float = WAIT_S) -> list:
        if self.worker is None:
            return list(self.jobs)
        drawn = {name for name in self.worker.wait(timeout)
                 if (self.folder / f"{name}.png").is_file()}
        self.worker = None
        return [job for job in self.jobs if job.name not in drawn]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        shutil.rmtree(self.scratch, ignore_errors=True)


def write_jobs(jobs: list, folder: Path, base: Path) -> Path:
    """<base>.json (names, drawers, JSON arguments, which array is which) and <base>.npz."""
    import numpy as np

    arrays: dict[str, np.ndarray] = {}
    names: dict[int, str] = {}  # the same array in several jobs is written once
    specs = []
    for job in jobs:
        plain, refs = {}, {}
        for key, value in job.args.items():
            if isinstance(value, np.ndarray):
                refs[key] = names.setdefault(id(value), f"a{len(names)}")
                arrays[refs[key]] = value
            else:
                plain[key] = value
        specs.append({"name": job.name, "drawer": job.drawer, "args": plain, "arrays": refs})
    np.savez(base.with_suffix(".npz"), **arrays)
    spec = base.with_suffix(".json")
    spec.write_text(json.dumps({"folder": str(folder), "arrays": str(base.with_suffix(".npz")),
                                "jobs": specs}))
    return spec
