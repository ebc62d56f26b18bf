"""The figure worker's own side (figure_worker.py starts it): `python -m
lrnn.reporting.figure_process PARENT_PID PROCESSES` warms up, reads one job file named on
stdin, draws its figures in PROCESSES processes (itself and forks of itself, on Linux) and
says on stdout which it drew. It imports no torch, so forking it is safe; its parent may kill
its whole process group at any time."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

# Forks only where fork is the platform's way (macOS frameworks may not survive one).
CAN_FORK = sys.platform.startswith("linux")


def serve(parent: int, processes: int) -> None:
    import gc
    import signal

    # No cycle collection in this short-lived process: matplotlib's figures are cycles of
    # artists, and collecting them as it goes took ~15 % of the drawing (1.3-1.5 vs 1.6-2.4 s
    # for MNIST's seven figures, 2 busy cores) for no memory that matters (+4 MB).
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent to handle
    _end_with(parent)
    warm_up()
    line = sys.stdin.readline()
    if not line:  # the parent is gone, or needs no figures
        return
    started = time.process_time()
    jobs, folder = read_jobs(Path(json.loads(line)))
    reply = draw_shared(jobs, folder, processes if CAN_FORK else 1)
    reply.update(cpu_s=time.process_time() - started, warm_up_cpu_s=started)
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()


def warm_up() -> None:
    """Import what drawing needs and draw a small figure: fonts loaded, caches filled."""
    from matplotlib.figure import Figure

    from .canvas import png_bytes
    from .run_figures import DRAWERS  # noqa: F401 (the drawing modules, imported now)

    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], marker=".", label="0.5 (AUC 1.000)")
    image = ax.imshow([[0.0, 1.0], [1.0, 0.0]], cmap="Blues")
    ax.text(0, 0, "1", ha="center", va="center", fontsize=8)
    fig.colorbar(image, ax=ax)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("warm-up")
    png_bytes(fig)


def draw_shared(jobs: list, folder: Path, processes: int) -> dict:
    """Draw `jobs` in `processes` processes, this one and forks of it, each a share; what
    they drew, failed to draw and warned about, together."""
    parts = [share for share in shares(jobs, max(processes, 1)) if share]
    children = []
    for share in parts[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the fork: draw its share, tell, and leave at once
            os.close(read_end)
            _end_with(os.getppid())
            with os.fdopen(write_end, "w") as pipe:
                pipe.write(json.dumps(draw_jobs(share, folder)))
            os._exit(0)
        os.close(write_end)
        children.append((pid, read_end))
    reply = draw_jobs(parts[0] if parts else [], folder)
    for pid, read_end in children:
        with os.fdopen(read_end) as pipe:
            text = pipe.read()
        os.waitpid(pid, 0)
        theirs = json.loads(text) if text else {}
        for key in ("drawn", "warnings"):
            reply[key] += theirs.get(key, [])
        reply["failed"].update(theirs.get("failed", {}))
    return reply


def draw_jobs(jobs: list, folder: Path) -> dict:
    import warnings

    from .run_figures import draw

    drawn, failed = [], {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for job in jobs:
            try:
                draw(job, folder)
                drawn.append(job.name)
            except Exception as exc:  # the parent draws it again, and fails as it would have
                failed[job.name] = f"{exc.__class__.__name__}: {exc}"
    return {"drawn": drawn, "failed": failed, "warnings": sorted({str(w.message) for w in caught})}


def read_jobs(spec_file: Path) -> tuple[list, Path]:
    """The jobs of write_jobs and the folder to draw them in."""
    import numpy as np

    from .run_figures import DRAWERS, FigureJob

    spec = json.loads(Path(spec_file).read_text())
    jobs = []
    with np.load(spec["arrays"], allow_pickle=False) as arrays:
        for item in spec["jobs"]:
            name, drawer = str(item["name"]), str(item["drawer"])
            if drawer not in DRAWERS or Path(name).name != name or name.startswith("."):
                raise ValueError(f"not a figure job: {name!r} {drawer!r}")
            args = dict(item["args"], **{k: arrays[v] for k, v in item["arrays"].items()})
            jobs.append(FigureJob(name, drawer, args))
    return jobs, Path(spec["folder"])


def shares(jobs: list, n: int) -> list[list]:
    """The jobs dealt into `n` shares of about equal drawing time, each in the jobs' order:
    for two shares of a few jobs the most even split of all (the last share is the drawing's
    end), else each job in turn to the least loaded share."""
    cost = lambda job: COSTS.get(job.name, 1.0)  # noqa: E731
    if n == 2 and len(jobs) <= EXACT_SPLIT_JOBS:
        costs = [cost(job) for job in jobs]
        total = sum(costs)
        first = min(range(2 ** len(jobs)), key=lambda mask: abs(total - 2 * sum(
            c for i, c in enumerate(costs) if mask >> i & 1)))
        return [[job for i, job in enumerate(jobs) if first >> i & 1 == side] for side in (1, 0)]
    loads, dealt = [0.0] * n, [[] for _ in range(n)]
    for job in sorted(jobs, key=lambda j: -cost(j)):
        least = loads.index(min(loads))
        dealt[least].append(job)
        loads[least] += cost(job)
    order = {job.name: i for i, job in enumerate(jobs)}
    return [sorted(share, key=lambda j: order[j.name]) for share in dealt]


EXACT_SPLIT_JOBS = 10  # 1,024 splits to weigh: ~1 ms (a run has up to 8 figures)
# CPU time of each figure of MNIST's default logistic regression, relative to the learning
# curves' (warm, best of 3, no cycle collection: 82 ms); a figure not listed counts 1.
COSTS = {"learning_curves": 1.0, "confusion_matrix": 1.3, "confusion_matrix_normalized": 1.46,
         "roc_pr": 1.61, "calibration": 1.18, "mistakes": 1.07, "weights": 0.62}


def _end_with(parent: int) -> None:
    """On Linux, be sent SIGTERM when the parent dies (it may have died before this runs)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(0)


if __name__ == "__main__":
    try:
        serve(int(sys.argv[1]), int(sys.argv[2]))
    finally:
        sys.stdout.flush()
        os._exit(0)  # no interpreter teardown: the parent is waiting for this exit
