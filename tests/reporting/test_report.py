"""report.html, `lrnn report`, `lrnn compare` and --tensorboard, through the real CLI."""

from __future__ import annotations

import base64
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import lrnn_cli, snapshot


def embedded_images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in
            re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


@pytest.mark.parametrize("fixture", ["mnist_logreg_run", "breast_cancer_run"])
def test_report_embeds_every_plot_and_needs_nothing_else(request, fixture):
    run = request.getfixturevalue(fixture)
    page = (run / "report.html").read_text(encoding="utf-8")
    plots = sorted((run / "plots").glob("*.png"))
    assert len(plots) >= 6
    assert sorted(embedded_images(page)) == sorted(p.read_bytes() for p in plots)
    # nothing fetched from elsewhere: no external script, style sheet, image or font
    assert not re.search(r'(src|href)="(?!data:|#)', page)
    assert "<script" not in page and "url(" not in page
    metrics = json.loads((run / "metrics.json").read_text())
    test = metrics["test"]
    assert f"{test['accuracy']:.4f}" in page and f"{test['ece']:.4f}" in page
    for name in test["classes"]:
        assert f"<td>{name}</td>" in page
    rows = metrics["data"]["rows"]
    assert f'<td class="num">{rows["train"]:,}</td>' in page
    assert metrics["environment"]["versions"]["torch"] in page


def test_report_data_summary_counts_the_splits(breast_cancer_run):
    data = json.loads((breast_cancer_run / "metrics.json").read_text())["data"]
    assert sum(data["rows"].values()) == 569 and data["rows"]["test"] == 114  # 20 % of 569, rounded
    assert [sum(c) for c in zip(*data["class_counts"].values())] == [212, 357]  # sklearn's counts
    assert data["n_features"] == 30 and data["input"] == "table"


def test_lrnn_report_rebuilds_the_same_page(mnist_logreg_run, tmp_path):
    copy = tmp_path / "run"
    copy.mkdir()
    for path in mnist_logreg_run.rglob("*"):
        if path.is_file():
            (copy / path.relative_to(mnist_logreg_run)).parent.mkdir(exist_ok=True)
            (copy / path.relative_to(mnist_logreg_run)).write_bytes(path.read_bytes())
    original = (copy / "report.html").read_bytes()
    (copy / "report.html").unlink()
    result = lrnn_cli("report", str(copy))
    assert result.returncode == 0, result.stderr
    # the folder name is part of the page: the copy has another one
    rebuilt = (copy / "report.html").read_bytes()
    assert rebuilt == original.replace(mnist_logreg_run.name.encode(), b"run")


def test_lrnn_report_on_a_folder_that_is_not_a_run(tmp_path):
    result = lrnn_cli("report", str(tmp_path))
    assert result.returncode == 3
    assert "model.json: missing" in result.stderr and len(result.stderr.splitlines()) == 1


def test_compare_puts_runs_side_by_side(mnist_logreg_run, breast_cancer_run, tmp_path):
    out = tmp_path / "compare.html"
    result = lrnn_cli("compare", str(mnist_logreg_run), str(breast_cancer_run), "-o", str(out))
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    accuracies = [json.loads((r / "metrics.json").read_text())["test"]["accuracy"]
                  for r in (mnist_logreg_run, breast_cancer_run)]
    row = re.search(r"<tr><td>accuracy</td>(.*?)</tr>", page).group(1)
    assert re.findall(r">([\d.]+)<", row) == [f"{a:.4f}" for a in accuracies]
    assert f'class="num best">{max(accuracies):.4f}' in row  # the better one in bold
    assert "<td>dataset</td><td>mnist</td><td>breast_cancer</td>" in page
    (curves,) = embedded_images(page)
    assert curves[:8] == b"\x89PNG\r\n\x1a\n" and len(curves) > 20_000


def test_compare_refuses_to_overwrite_and_non_runs(mnist_logreg_run, tmp_path):
    out = tmp_path / "compare.html"
    out.write_text("mine")
    before = snapshot(tmp_path)
    taken = lrnn_cli("compare", str(mnist_logreg_run), "-o", str(out))
    assert taken.returncode == 2 and "already exists; pass --force" in taken.stderr
    not_a_run = lrnn_cli("compare", str(tmp_path), "-o", str(tmp_path / "new.html"))
    assert not_a_run.returncode == 3 and "model.json: missing" in not_a_run.stderr
    assert snapshot(tmp_path) == before


def test_tensorboard_scalars_match_the_history(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = tmp_path / "run"
    result = lrnn_cli("train", "--dataset", "iris", "--model", "mlp", "--epochs", "5",
                      "--tensorboard", "--out", str(out))
    assert result.returncode == 0, result.stderr
    events = EventAccumulator(str(out / "tensorboard"))
    events.Reload()
    with open(out / "history.csv") as f:
        history = list(csv.DictReader(f))
    for tag, column in (("loss/train", "train_loss"), ("accuracy/validation", "val_accuracy"),
                        ("loss/test", "test_loss"), ("learning_rate", "lr")):
        scalars = events.Scalars(tag)
        assert [s.step for s in scalars] == [int(row["step"]) for row in history]
        assert [s.value for s in scalars] == pytest.approx(
            [float(row[column]) for row in history], rel=1e-6)
        assert [s.wall_time for s in scalars] == pytest.approx(
            [float(row["unix_time"]) for row in history], abs=1e-3)


def test_tensorboard_flag_without_tensorboard_installed(tmp_path):
    """Stands for a machine without the package: an import of it fails, as when absent."""
    code = ("import sys; sys.modules['tensorboard'] = None; from lrnn.cli import main; "
            f"sys.exit(main(['train', '--dataset', 'iris', '--tensorboard', '--out', "
            f"{str(tmp_path / 'run')!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == ("lrnn train: error: --tensorboard: the tensorboard package "
                                     "is not installed; install it with: pip install "
                                     "'lrnn[tensorboard]'")
    assert not (tmp_path / "run").exists()
