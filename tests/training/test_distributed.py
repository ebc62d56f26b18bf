"""Data-parallel training under torchrun: two real gloo processes on CPU against one process.

Each job here starts real `torchrun` processes (python -m torch.distributed.run), so the tests
use a small built-in dataset and a small MLP; dropout is off because its random numbers are
drawn per process and cannot match a single process's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from lrnn.training.distributed import Context
from tests.conftest import lrnn_cli

TRAIN = ("train", "--dataset", "digits", "--model", "mlp", "--hidden-layer-sizes", "32",
         "--dropout", "0", "--epochs", "4", "--batch-size", "64", "--seed", "3",
         "--checkpoint-every", "10", "--no-plots", "-q")
# One thread each: two processes on a small machine, no oversubscription. A process that
# aborts prints every thread's Python stack, so a failure says where.
WORKER_ENV = {"OMP_NUM_THREADS": "1", "PYTHONFAULTHANDLER": "1"}


def torchrun(*args: str, env: dict | None = None, nproc: int = 2,
             restarts: int = 0) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc-per-node={nproc}", f"--max-restarts={restarts}", "-m", "lrnn", *args]
    return subprocess.run(command, env=dict(os.environ, **WORKER_ENV, **(env or {})),
                          capture_output=True, text=True, timeout=300)


def weights(run: Path) -> dict[str, np.ndarray]:
    return load_file(run / "model.safetensors")


def assert_same_weights(run: Path, reference: Path) -> None:
    got, expected = weights(run), weights(reference)
    assert got.keys() == expected.keys()
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-5, atol=1e-5, err_msg=name)


@pytest.fixture(scope="module")
def single_process(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist") / "single"
    result = lrnn_cli(*TRAIN, "--out", str(out), env=WORKER_ENV)
    assert result.returncode == 0, result.stderr
    return out


def test_shard_splits_a_global_batch_into_contiguous_near_equal_parts():
    index = torch.arange(10)
    parts = [Context(rank=r, world=3).shard(index) for r in range(3)]
    assert [p.tolist() for p in parts] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert Context().shard(index) is index


def test_two_gloo_processes_match_one_process(tmp_path, single_process):
    """`lrnn train --nproc 2` is torchrun with 2 processes (the command it runs is the README's
    torchrun command; the tests below call torchrun directly)."""
    out = tmp_path / "two"
    result = lrnn_cli(*TRAIN, "--nproc", "2", "--out", str(out), env=WORKER_ENV)
    assert result.returncode == 0, result.stderr[-3000:]
    assert_same_weights(out, single_process)
    # only process 0 printed and wrote: one result line, one set of checkpoints
    assert result.stdout.count("test accuracy") == 1
    assert len(list((out / "checkpoints").glob("ckpt-*.safetensors"))) == 2
    # the metrics process 0 computed after training are the one-process run's
    metrics = [json.loads((run / "metrics.json").read_text()) for run in (out, single_process)]
    assert metrics[0]["test"]["accuracy"] == pytest.approx(metrics[1]["test"]["accuracy"],
                                                           abs=1e-9)
    # the run says how many processes trained it, in metrics.json and the report
    assert [m["environment"]["processes"] for m in metrics] == [2, 1]
    assert '<td>processes (data-parallel, torchrun)</td><td class="num">2</td>' in \
        (out / "report.html").read_text()


def test_killed_worker_restarts_from_its_checkpoint_and_matches(tmp_path, single_process):
    out = tmp_path / "killed"
    fault = {"LRNN_FAULT": "kill@step=50", "LRNN_FAULT_RANK": "1"}
    result = torchrun(*TRAIN, "--out", str(out), env=fault, restarts=1)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "exitcode: -9" in result.stderr  # the worker was really killed, then restarted
    assert_same_weights(out, single_process)


def test_a_folder_in_the_way_stops_every_process(tmp_path):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "something").write_text("not a run")
    result = torchrun(*TRAIN, "--out", str(out))
    assert result.returncode != 0
    assert "lrnn train: error" in result.stderr and str(out) in result.stderr
    assert (out / "something").read_text() == "not a run"
