"""The figure worker draws a run's figures with the same bytes as drawing them in process, and
leaves nothing behind: no figure missing when it fails, no process after the command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lrnn.data.idx.locate import load_idx_dataset
from lrnn.evaluation.test_predictions import TestPredictions as Scored
from lrnn.predict import Predictor
from lrnn.reporting import figure_worker, run_figures
from lrnn.reporting.figure_process import read_jobs
from lrnn.reporting.figure_worker import SCRATCH, Handover
from lrnn.training.state import History
from tests.conftest import lrnn_cli


def _jobs(run: Path) -> list[run_figures.FigureJob]:
    """The figure jobs of a saved MNIST run, from its files and the MNIST test images."""
    predictor = Predictor.load(run)
    mnist = load_idx_dataset("mnist", None)
    X = mnist.X_test
    test = Scored(X, mnist.y_test, predictor.model.logits(X.reshape(len(X), -1)),
                  predictor.threshold)
    metrics = json.loads((run / "metrics.json").read_text())
    history = History(epochs=[{k: float(v or "nan") for k, v in row.items()} for row in _rows(run)])
    from safetensors.numpy import load_file

    weights = load_file(str(run / "model.safetensors"))
    return run_figures.plan("logreg on mnist", history, metrics, test, predictor.info, weights)


def _rows(run: Path) -> list[dict]:
    import csv

    with open(run / "history.csv", newline="") as f:
        return list(csv.DictReader(f))


def _drawn_here(jobs, folder: Path) -> dict[str, bytes]:
    folder.mkdir(parents=True)
    return {job.name: run_figures.draw(job, folder).read_bytes() for job in jobs}


@pytest.fixture(scope="module")
def mnist_jobs(mnist_logreg_run, tmp_path_factory):
    jobs = _jobs(mnist_logreg_run)
    return jobs, _drawn_here(jobs, tmp_path_factory.mktemp("here") / "plots")


@pytest.mark.parametrize("processes", [1, 2])
def test_the_worker_draws_the_bytes_this_process_draws(mnist_jobs, tmp_path, processes):
    jobs, expected = mnist_jobs
    plots = tmp_path / "stage" / "plots"
    plots.mkdir(parents=True)
    with figure_worker.running(processes):
        handover = Handover(jobs, plots)
        assert handover.worker is not None
        left = handover.finish()
        handover.close()
    assert left == []  # the worker drew every figure
    assert {p.stem: p.read_bytes() for p in plots.iterdir()} == expected
    assert not (tmp_path / "stage" / SCRATCH).exists()
    assert len(expected) == 7


def test_a_worker_that_dies_leaves_its_figures_to_this_process(mnist_jobs, tmp_path):
    jobs, expected = mnist_jobs
    plots = tmp_path / "stage" / "plots"
    plots.mkdir(parents=True)
    with figure_worker.running(2):
        handover = Handover(jobs, plots)
        os.killpg(handover.worker.process.pid, signal.SIGKILL)
        left = handover.finish()
        for job in left:
            run_figures.draw(job, plots)
        handover.close()
    assert [job.name for job in left] == [job.name for job in jobs]
    assert {p.stem: p.read_bytes() for p in plots.iterdir()} == expected


def test_no_worker_means_every_figure_is_drawn_here(mnist_jobs, tmp_path):
    jobs, _ = mnist_jobs
    with figure_worker.running(0):
        handover = Handover(jobs, tmp_path)
        assert handover.worker is None and handover.finish() == jobs


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")  # a zombie has ended


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("how", ["returns", "is killed"])
def test_the_worker_never_outlives_its_command(tmp_path, how):
    """A command that started a worker ends normally, or is killed with SIGKILL (no cleanup
    runs): its worker is gone within seconds either way."""
    script = ("import sys, time\nfrom lrnn.reporting import figure_worker\n"
              "with figure_worker.running(2):\n"
              "    print(figure_worker._idle[0].process.pid, flush=True)\n"
              f"    time.sleep({0.5 if how == 'returns' else 60})\n")
    command = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    worker = int(command.stdout.readline())
    assert _alive(worker)
    if how == "is killed":
        command.kill()
    command.wait(timeout=30)
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)


def test_job_files_name_only_known_figures(tmp_path):
    """A job file cannot make the worker call another function or write outside its folder."""
    for name, drawer in (("x", "os.system"), ("../escape", "weights"), (".hidden", "weights")):
        spec = tmp_path / f"{len(name)}.json"
        np.savez(tmp_path / "arrays.npz", a0=np.zeros(2))
        spec.write_text(json.dumps({"folder": str(tmp_path), "arrays": str(tmp_path / "arrays.npz"),
                                    "jobs": [{"name": name, "drawer": drawer, "args": {},
                                              "arrays": {}}]}))
        with pytest.raises(ValueError, match="not a figure job"):
            read_jobs(spec)


def test_lrnn_train_with_and_without_the_worker_writes_the_same_run(mnist_logreg_run, tmp_path):
    out = tmp_path / "no-worker"
    result = lrnn_cli("train", "--dataset", "mnist", "--model", "logreg", "--out", str(out),
                      env={"LRNN_FIGURE_WORKERS": "0"})
    assert result.returncode == 0, result.stderr
    with_worker = {p.name: p.read_bytes() for p in (mnist_logreg_run / "plots").iterdir()}
    assert {p.name: p.read_bytes() for p in (out / "plots").iterdir()} == with_worker
    assert sorted(p.name for p in mnist_logreg_run.iterdir()) == \
        sorted(p.name for p in out.iterdir())  # nothing left over by the worker


def test_jobs_are_dealt_in_shares_of_about_equal_time(mnist_jobs):
    from lrnn.reporting.figure_process import COSTS, shares

    jobs, _ = mnist_jobs
    first, second = shares(jobs, 2)
    assert sorted(j.name for j in first + second) == sorted(j.name for j in jobs)
    order = [j.name for j in jobs]
    for share in (first, second):
        assert [j.name for j in share] == [n for n in order if n in {j.name for j in share}]
    loads = [sum(COSTS[j.name] for j in share) for share in (first, second)]
    # the most even split: dealing the costliest first to the lighter share leaves 0.58
    assert abs(loads[0] - loads[1]) <= 0.05 * sum(loads)
    assert shares(jobs, 1) == [jobs]
    three = shares(jobs, 3)  # more processes: dealt in turn
    assert sorted(j.name for share in three for j in share) == sorted(j.name for j in jobs)
