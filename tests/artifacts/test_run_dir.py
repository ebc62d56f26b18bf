"""A run folder is lrnn's only where lrnn wrote (artifacts/run_dir.py): publishing replaces
only the names lrnn publishes, links among a run's own entries are refused rather than
followed, no output of another command may land inside a run folder, and two runs started in
the same second claim two folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import lrnn_cli, refused, snapshot


def copy_run(run: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(run, dst)
    return dst


def test_resume_keeps_the_users_files(table_run, tmp_path):
    run = copy_run(table_run, tmp_path)
    (run / "notes.txt").write_text("my notes")
    (run / "analysis").mkdir()
    (run / "analysis" / "a.txt").write_text("my analysis")
    (run / "evals.csv").write_text("stale\n")  # lrnn's name, from an earlier --eval-every run
    mine = {p: snapshot(run)[p] for p in ("notes.txt", "analysis/a.txt")}
    result = lrnn_cli("train", "--resume", str(run), "-q")
    assert result.returncode == 0, result.stderr
    after = snapshot(run)
    assert {p: after[p] for p in mine} == mine  # untouched
    assert "evals.csv" not in after and "model.json" in after  # lrnn's own names replaced
    assert not any(name.startswith(".publish-") for name in os.listdir(run))


def test_a_linked_lock_is_refused_and_its_target_untouched(table_run, tmp_path):
    run = copy_run(table_run, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("x" * 330)
    os.symlink(victim, run / ".lock")
    before = snapshot(tmp_path)
    refused(lrnn_cli("train", "--resume", str(run), "-q"), 3,
            ".lock: is a symbolic link; lrnn does not follow links inside a run folder")
    assert snapshot(tmp_path) == before and victim.read_text() == "x" * 330


def test_a_linked_checkpoints_folder_is_refused(table_run, tmp_path):
    run = copy_run(table_run, tmp_path)
    outside = tmp_path / "elsewhere"
    shutil.move(run / "checkpoints", outside)
    os.symlink(outside, run / "checkpoints")
    before = snapshot(tmp_path)
    refused(lrnn_cli("train", "--resume", str(run), "-q"), 3,
            "checkpoints: is a symbolic link")
    assert snapshot(tmp_path) == before


def test_a_linked_plot_is_never_embedded(table_run, tmp_path):
    run = copy_run(table_run, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is swordfish")
    os.symlink(secret, run / "plots" / "leak.png")
    before = snapshot(tmp_path)
    refused(lrnn_cli("report", str(run)), 3, "leak.png: is a symbolic link")
    assert snapshot(tmp_path) == before
    assert b"swordfish" not in (run / "report.html").read_bytes()


@pytest.mark.parametrize("target,command", [
    ("model.json", "predict"), ("plots/new.csv", "predict"), ("metrics.json", "evaluate"),
    ("report.html", "compare")])
def test_no_output_inside_a_run_folder(table_run, tmp_path, target, command):
    run = copy_run(table_run, tmp_path)
    data = str(table_run.parent / "table.csv")
    output = str(run / target)
    args = {"predict": ["predict", str(run), data, "-o", output, "--force"],
            "evaluate": ["evaluate", str(run), "-o", output, "--force"],
            "compare": ["compare", str(table_run), str(run), "-o", output, "--force"]}[command]
    before = snapshot(tmp_path)
    refused(lrnn_cli(*args), 2, f"is inside the run folder {run}")
    assert snapshot(tmp_path) == before


def test_two_runs_started_in_the_same_second_both_succeed(tmp_path):
    """The default name's seconds are taken for the next two minutes (as by another run), and
    two runs start at once: each claims a folder of its own with mkdir, none is refused."""
    now = datetime.now()
    for second in range(150):
        stamp = (now + timedelta(seconds=second)).strftime("%Y%m%d-%H%M%S")
        (tmp_path / "runs" / f"iris-logreg-{stamp}").mkdir(parents=True)
    taken = set(os.listdir(tmp_path / "runs"))
    argv = [sys.executable, "-m", "lrnn", "train", "--dataset", "iris", "-q"]
    children = [subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [child.communicate(timeout=600) for child in children]
    assert [child.returncode for child in children] == [0, 0], outputs
    new = sorted(set(os.listdir(tmp_path / "runs")) - taken)
    assert len(new) == 2 and all(name.rsplit("-", 1)[1] in ("2", "3") for name in new), new
    for name in new:
        assert (tmp_path / "runs" / name / "model.json").is_file()
