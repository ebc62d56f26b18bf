"""What a finished study leaves: best/ (a normal run: predict works on it, and the printed
`lrnn train` command trains the same model), trials.csv, and study.html opened from disk in
headless Chromium."""

from __future__ import annotations

import csv
import json
import shlex

from tests.conftest import lrnn_cli
from tests.reporting.test_report_browser import browser  # noqa: F401 (the fixture)
from tests.tune.conftest import FIXTURES, finished, read_study


def test_trials_csv_lists_every_trial(chile_study):
    out, _ = chile_study
    with open(out / "trials.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    study = read_study(out)
    assert [int(r["trial"]) for r in rows] == [t.number for t in finished(study)]
    assert [float(r["val_loss"]) for r in rows] == [t.value for t in finished(study)]
    assert all(float(r["C"]) > 0 for r in rows)
    assert rows[0]["C"] == "1.0"  # the first trial is lrnn train's own choice


def test_best_is_a_run_that_predict_uses(chile_study, tmp_path):
    out, stdout = chile_study
    best = out / "best"
    assert (best / "report.html").exists() and (best / "model.json").exists()
    study = read_study(out)
    import tomllib

    assert tomllib.loads((best / "config.toml").read_text())["C"] == study.best_params["C"]
    result = lrnn_cli("predict", str(best), str(FIXTURES / "chile.csv"), "-o",
                      str(tmp_path / "p.csv"))
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "p.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 2532
    test_accuracy = json.loads((best / "metrics.json").read_text())["test"]["accuracy"]
    assert f"test accuracy {test_accuracy:.2%}" in stdout


def test_the_printed_command_reproduces_best(chile_study, tmp_path):
    out, stdout = chile_study
    line = next(line for line in stdout.splitlines() if line.startswith("reproduce: "))
    command = shlex.split(line.removeprefix("reproduce: "))
    assert command[:2] == ["lrnn", "train"]
    result = lrnn_cli(*command[1:], "--out", str(tmp_path / "again"))
    assert result.returncode == 0, result.stderr
    again = json.loads((tmp_path / "again" / "metrics.json").read_text())["test"]
    best = json.loads((out / "best" / "metrics.json").read_text())["test"]
    assert again["accuracy"] == best["accuracy"] and abs(again["loss"] - best["loss"]) < 1e-6


def test_study_page_opens_from_disk_with_every_figure(chile_study, browser):  # noqa: F811
    out, _ = chile_study
    browser.get((out / "study.html").resolve().as_uri())
    images = browser.execute_script(
        "return Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])")
    assert sorted(alt for alt, *_ in images) == ["history", "importances", "slices"]
    for alt, complete, width in images:
        assert complete and width > 300, alt
    assert browser.title == "lrnn tune: logreg on chile"
    text = browser.find_element("tag name", "body").text
    study = read_study(out)
    assert f"{study.best_value:.4f}" in text
    test_accuracy = json.loads((out / "best" / "metrics.json").read_text())["test"]["accuracy"]
    assert f"{test_accuracy:.4f}" in text
    assert "lrnn train --data" in text
    links = browser.execute_script("return Array.from(document.links).map(a => a.href)")
    assert any(link.endswith("/best/report.html") for link in links)


def test_without_out_the_study_goes_under_runs(tmp_path):
    """--out is the search's own option: left out, the study is runs/tune-<dataset>-<model>."""
    result = lrnn_cli("tune", "--dataset", "iris", "--trials", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    study = tmp_path / "runs" / "tune-iris-logreg"
    assert (study / "best" / "model.json").exists() and (study / "trials.csv").exists()
