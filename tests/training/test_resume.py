"""Checkpoints and resume (RELIABILITY.md promises 2, 3, 6, 7): faults injected at exact
points through LRNN_FAULT (src/lrnn/faults.py), never by timing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file

from lrnn.training import checkpoints
from tests.conftest import lrnn_cli

# No plots: these tests look at weights, histories and checkpoints (test_disk_full draws them,
# since report.html's size is what it needs).
MLP = ["--dataset", "digits", "--model", "mlp", "--hidden-layer-sizes", "32", "--epochs", "8",
       "--batch-size", "64", "--deterministic", "--no-plots"]  # 21 steps an epoch, 168 in all
LOGREG_ADAM = ["--dataset", "digits", "--model", "logreg", "--optimizer", "adam", "--epochs",
               "8", "--batch-size", "64", "--deterministic", "--no-plots"]
LOGREG_LBFGS = ["--dataset", "breast_cancer", "--model", "logreg", "--tol", "1e-8",
                "--deterministic", "--no-plots"]  # full-batch L-BFGS, a row every 5 iterations


def train(out: Path, settings: list[str], fault: str | None = None, *extra: str):
    env = {"LRNN_FAULT": fault} if fault else {}
    return lrnn_cli("train", *settings, *extra, "--out", str(out), "-q", env=env)


def resume(run: Path, fault: str | None = None, *extra: str):
    env = {"LRNN_FAULT": fault} if fault else {}
    return lrnn_cli("train", "--resume", str(run), *extra, "-q", env=env)


def same_weights(a: Path, b: Path) -> bool:
    wa, wb = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    return wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    runs = {}
    for name, settings in (("mlp", MLP), ("logreg", LOGREG_ADAM), ("lbfgs", LOGREG_LBFGS)):
        out = tmp_path_factory.mktemp("whole") / name
        assert train(out, settings).returncode == 0
        runs[name] = out
    return runs


SETTINGS = {"mlp": MLP, "logreg": LOGREG_ADAM}
STOPS = {  # where training is interrupted: one or two points, resumed after each
    "epoch boundary": ["interrupt@epoch=3"],
    # mid-epoch, twice: SIGINT at step 30 (epoch 2), then SIGTERM at step 100 (epoch 5)
    "mid-epoch, twice": ["interrupt@step=30", "sigterm@step=100"],
}


@pytest.mark.parametrize("model,stops", [("mlp", "epoch boundary"), ("mlp", "mid-epoch, twice"),
                                         ("logreg", "mid-epoch, twice")])
def test_interrupt_and_resume_is_bit_identical(tmp_path, uninterrupted, model, stops):
    out = tmp_path / "run"
    first, *later = STOPS[stops]
    result = train(out, SETTINGS[model], first)
    assert result.returncode == 130, result.stderr
    assert f"checkpoint saved; continue with lrnn train --resume {out}" in result.stderr
    assert not (out / "model.json").exists()
    for fault in later:
        result = resume(out, fault)
        assert result.returncode == (143 if fault.startswith("sigterm") else 130), result.stderr
    result = resume(out)
    assert result.returncode == 0, result.stderr
    assert same_weights(out, uninterrupted[model])
    ours = (out / "history.csv").read_text().splitlines()
    theirs = (uninterrupted[model] / "history.csv").read_text().splitlines()
    assert [row.split(",")[:5] for row in ours] == [row.split(",")[:5] for row in theirs]


def test_lbfgs_interrupt_and_resume_is_bit_identical(tmp_path, uninterrupted):
    out = tmp_path / "run"
    assert train(out, LOGREG_LBFGS, "interrupt@epoch=10").returncode == 130
    assert resume(out).returncode == 0
    assert same_weights(out, uninterrupted["lbfgs"])


def test_sigkill_in_the_middle_of_a_checkpoint_write(tmp_path, uninterrupted):
    out = tmp_path / "run"
    result = train(out, MLP, "kill@checkpoint=3", "--checkpoint-every", "10")
    assert result.returncode == -signal.SIGKILL
    published = checkpoints.checkpoint_files(out / "checkpoints")
    assert [p.name for p in published] == ["ckpt-000000020.safetensors",
                                           "ckpt-000000010.safetensors"]
    assert list((out / "checkpoints").glob(".*.tmp"))  # the half-written file, never published
    state = checkpoints.read(published[0])
    assert state["trainer"]["position"]["step"] == 20
    result = resume(out, None, "--checkpoint-every", "10")
    assert result.returncode == 0, result.stderr
    assert not list((out / "checkpoints").glob(".*.tmp"))
    assert same_weights(out, uninterrupted["mlp"])


def test_exception_in_the_middle_of_a_checkpoint_write(tmp_path):
    out = tmp_path / "run"
    result = train(out, MLP, "raise@checkpoint=2", "--checkpoint-every", "10")
    assert result.returncode == 2
    assert "cannot write" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    files = sorted(p.name for p in (out / "checkpoints").iterdir())
    assert files == ["ckpt-000000010.safetensors"]  # the old one intact, no temporary left
    assert checkpoints.read(out / "checkpoints" / files[0])["trainer"]["position"]["step"] == 10


def _limited(limit_bytes: int):
    import resource

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


@pytest.mark.parametrize("limit,published_checkpoints", [(100_000, False), (300_000, True)])
def test_disk_full(tmp_path, limit, published_checkpoints):
    """Files may not pass `limit` bytes: checkpoints (~260 kB) fail at 100 kB; at 300 kB they
    are written, but report.html (~400 kB) is not, so the artifact is never published."""
    out = tmp_path / "run"
    args = [sys.executable, "-m", "lrnn", "train", "--dataset", "digits", "--model", "mlp",
            "--epochs", "3", "--checkpoint-every", "5", "--out", str(out), "-q"]
    result = subprocess.run(args, capture_output=True, text=True, preexec_fn=_limited(limit))
    assert result.returncode == 2, result.stderr
    assert "cannot write (file too large" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if not published_checkpoints:
        assert not out.exists()  # nothing worth keeping: the new folder is gone
        return
    names = {p.name for p in out.iterdir()}
    assert names == {"checkpoints"}  # no model.json, no half of an artifact, no staging folder
    assert all(checkpoints.read(p) for p in checkpoints.checkpoint_files(out / "checkpoints"))


def test_nan_inside_an_epoch_is_named_at_its_end(tmp_path):
    """No checkpoint and fewer than 50 steps an epoch: the epoch end is the first check, and
    it names the step where the loss first was not finite, not the epoch's last."""
    result = train(tmp_path / "run", MLP, "nan@step=5")
    assert result.returncode == 2
    assert "training diverged: the loss is nan at epoch 1, step 5;" in result.stderr


def test_nan_stops_with_epoch_and_step_and_saves_nothing_non_finite(tmp_path):
    out = tmp_path / "run"
    result = train(out, MLP, "nan@step=30", "--checkpoint-every", "10")
    assert result.returncode == 2
    assert "training diverged: the loss is nan at epoch 2, step 30" in result.stderr
    assert not (out / "model.json").exists()
    kept = checkpoints.checkpoint_files(out / "checkpoints")
    assert [p.name for p in kept] == ["ckpt-000000020.safetensors", "ckpt-000000010.safetensors"]
    for path in kept:
        weights = checkpoints.read(path)["trainer"]["model"]
        assert all(bool(t.isfinite().all()) for t in weights.values())


def _start_held(out: Path, tmp_path: Path, settings: list[str]):
    release = tmp_path / "release"
    env = dict(os.environ, LRNN_FAULT="hold@step=5", LRNN_FAULT_RELEASE=str(release))
    proc = subprocess.Popen([sys.executable, "-m", "lrnn", "train", *settings, "--out", str(out),
                             "-q"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    waiting = Path(f"{release}.waiting")
    deadline = time.monotonic() + 120
    while not waiting.exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.05)
    return proc, release


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_real_signals_checkpoint_and_exit(tmp_path, uninterrupted, signum, code):
    out = tmp_path / "run"
    proc, release = _start_held(out, tmp_path, MLP)
    proc.send_signal(signum)  # arrives while step 5 is held: the step finishes first
    release.touch()
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == code, stderr
    assert "interrupted at epoch 1, step 5" in stderr
    assert [p.name for p in checkpoints.checkpoint_files(out / "checkpoints")] == \
        ["ckpt-000000005.safetensors"]
    assert resume(out).returncode == 0
    assert same_weights(out, uninterrupted["mlp"])


def test_second_run_into_a_folder_in_use_is_refused(tmp_path):
    out = tmp_path / "run"
    proc, release = _start_held(out, tmp_path, MLP)
    second = lrnn_cli("train", *MLP, "--out", str(out), "-q")
    resumed = lrnn_cli("train", "--resume", str(out), "-q")
    release.touch()
    _, stderr = proc.communicate(timeout=300)
    assert second.returncode == 2 and "already exists" in second.stderr
    assert resumed.returncode == 2
    assert f"another lrnn run (pid {proc.pid}) is writing this folder" in resumed.stderr
    assert proc.returncode == 0, stderr
    assert (out / "model.json").exists()  # the first run finished, nothing interleaved


def test_resume_accepts_more_epochs_and_refuses_another_model(tmp_path, uninterrupted):
    import shutil

    out = tmp_path / "run"
    shutil.copytree(uninterrupted["mlp"], out)  # a finished run of 8 epochs
    longer = resume(out, None, "--epochs", "10")
    assert longer.returncode == 0, longer.stderr
    assert "--resume: epochs changed from 8 to 10" in longer.stderr
    assert (out / "history.csv").read_text().count("\n") == 11  # header + 10 epochs
    other = resume(out, None, "--lr", "0.5")
    assert other.returncode == 3
    assert "was trained with lr = 0.003, found 0.5: that is a different model" in other.stderr


def test_resume_refuses_different_data(tmp_path):
    rows = ["a,b,y"] + [f"{i % 13},{(i * 7) % 11},{'yes' if i % 3 else 'no'}" for i in range(300)]
    data = tmp_path / "data.csv"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    settings = ["--data", str(data), "--target", "y", "--model", "mlp", "--epochs", "20"]
    assert train(out, settings, "interrupt@step=5").returncode == 130
    data.write_text("\n".join(rows[:-1] + ["1,1,no"]) + "\n")  # one row changed
    result = resume(out)
    assert result.returncode == 3
    assert "the checkpoint was trained on different data" in result.stderr
