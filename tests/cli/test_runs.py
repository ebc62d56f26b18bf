"""`lrnn runs` and `latest`, on every kind of folder a runs/ folder holds: runs of `lrnn train`,
an estimator's saved run, an interrupted run (checkpoints only) and a folder that is no run.
(The README's own sequence of runs is checked in tests/test_readme.py.)"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import lrnn
from lrnn.artifacts.run_index import list_runs, resolve_run
from lrnn.errors import InputError
from tests.conftest import lrnn_cli

IRIS_MLP = ["--dataset", "iris", "--model", "mlp", "--hidden-layer-sizes", "8", "--epochs", "4",
            "--no-plots"]


@pytest.fixture(scope="module")
def runs_folder(tmp_path_factory) -> Path:
    """runs/ in a working folder: an iris logreg run, then an estimator's run, then an iris MLP
    interrupted after its first epoch, then a folder of notes."""
    cwd = tmp_path_factory.mktemp("cwd")
    assert lrnn_cli("train", "--dataset", "iris", "--no-plots", "-q", cwd=cwd).returncode == 0
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 5 epochs: a model to list only
        mlp = lrnn.MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0).fit(X, y)
    mlp.save(cwd / "runs" / "my-mlp")
    stopped = lrnn_cli("train", *IRIS_MLP, "--out", "runs/stopped", cwd=cwd,
                       env={"LRNN_FAULT": "interrupt@epoch=1"})
    assert stopped.returncode == 130, stopped.stderr
    (cwd / "runs" / "notes").mkdir()
    (cwd / "runs" / "notes" / "todo.txt").write_text("not a run")
    return cwd


def test_runs_lists_complete_runs_newest_first(runs_folder):
    result = lrnn_cli("runs", cwd=runs_folder)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["run", "data", "model", "test", "acc", "date"]
    assert [row.split()[0] for row in rows] == ["my-mlp", next(
        p.name for p in (runs_folder / "runs").iterdir() if p.name.startswith("iris-logreg-"))]
    logreg = json.loads(next((runs_folder / "runs").glob("iris-logreg-*/metrics.json"))
                        .read_text())["test"]["accuracy"]
    assert re.fullmatch(rf"iris-logreg-\S+ +iris +logreg +{logreg:.2%} +\d{{4}}-\d\d-\d\d "
                        rf"\d\d:\d\d:\d\d", rows[1])
    assert re.fullmatch(r"my-mlp +estimator +MLPClassifier +- +\S+ \S+", rows[0].strip())
    elsewhere = lrnn_cli("runs", "--dir", str(runs_folder / "runs"))
    assert elsewhere.stdout == result.stdout
    assert lrnn_cli("runs", cwd=runs_folder / "runs").stdout.startswith("no runs in runs")


def test_latest_is_the_newest_complete_run_and_for_resume_the_newest_checkpoint(runs_folder,
                                                                              monkeypatch):
    entries = list_runs(runs_folder / "runs", unfinished=True)
    assert [e.path.name for e in entries][0] == "stopped" and not entries[0].complete
    evaluated = lrnn_cli("evaluate", "latest", cwd=runs_folder)
    assert evaluated.returncode == 2  # my-mlp, an estimator's run: it needs a labelled file
    assert "runs/my-mlp: saved by MLPClassifier.save()" in evaluated.stderr
    resumed = lrnn_cli("train", "--resume", "latest", "-q", cwd=runs_folder)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().endswith("runs/stopped")
    assert (runs_folder / "runs" / "stopped" / "model.json").exists()
    assert lrnn_cli("runs", cwd=runs_folder).stdout.splitlines()[1].startswith("stopped ")
    monkeypatch.chdir(runs_folder)
    assert repr(lrnn.load("latest")).startswith("Predictor('runs/stopped', model='mlp 8'")


def test_latest_without_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="latest: no complete run under"):
        resolve_run("latest")
    (tmp_path / "latest").mkdir()  # a folder really named latest is that folder
    assert resolve_run("latest") == Path("latest")
    assert lrnn_cli("runs", "--dir", "missing", cwd=tmp_path).returncode == 2
