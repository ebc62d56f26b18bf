"""The files `lrnn report` and `lrnn compare` read (artifacts/run_files.py) are checked before
use: a key removed from metrics.json, a wrong type, a column missing from history.csv, a TOML
nested too deeply, a plot that is not a PNG: exit 3, one line naming the file and the field,
nothing written."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import lrnn_cli, refused, snapshot


def metrics_edit(change):
    def apply(run):
        metrics = json.loads((run / "metrics.json").read_text())
        change(metrics)
        (run / "metrics.json").write_text(json.dumps(metrics))
    return apply


def history_without(column):
    def apply(run):
        lines = (run / "history.csv").read_text().splitlines()
        header = lines[0].split(",")
        keep = [i for i, name in enumerate(header) if name != column]
        (run / "history.csv").write_text("\n".join(",".join(row.split(",")[i] for i in keep)
                                                   for row in lines) + "\n")
    return apply


CASES = {
    "test.accuracy removed": (metrics_edit(lambda m: m["test"].pop("accuracy")),
                              "metrics.json: test.accuracy: missing"),
    "a class's precision removed": (
        metrics_edit(lambda m: m["test"]["per_class"]["a"].pop("precision")),
        "metrics.json: test.per_class.a.precision: missing"),
    "data.rows removed": (metrics_edit(lambda m: m["data"].pop("rows")),
                          "metrics.json: data.rows: missing"),
    "accuracy as text": (metrics_edit(lambda m: m["test"].update(accuracy="high")),
                         'test.accuracy: expected a finite number >= 0 and <= 1, found "high"'),
    "class counts of the wrong length": (
        metrics_edit(lambda m: m["data"]["class_counts"].update(train=[1])),
        "data.class_counts.train: expected one count per class (2)"),
    "metrics nested 100,000 deep": (
        lambda run: (run / "metrics.json").write_text("[" * 100_000 + "]" * 100_000),
        "metrics.json: nested deeper than 64 levels"),
    "history.csv without val_loss": (history_without("val_loss"),
                                     "history.csv: column val_loss: missing"),
    "config.toml nested 100,000 deep": (
        lambda run: (run / "config.toml").write_text("a = " + "[" * 100_000 + "]" * 100_000),
        "config.toml: nested too deeply"),
    "a plot that is not a PNG": (lambda run: (run / "plots" / "extra.png").write_text("hello"),
                                 "extra.png: not a PNG image"),
}


# compare reads the same files through the same reader: a few cases show it (plots/ is the
# report's alone)
COMPARED = ("test.accuracy removed", "metrics nested 100,000 deep", "history.csv without val_loss")
PAIRS = [(case, "report") for case in CASES] + [(case, "compare") for case in COMPARED]


@pytest.mark.parametrize("case,command", PAIRS)
def test_damaged_run_files(table_run, tmp_path, case, command):
    run = tmp_path / "run"
    shutil.copytree(table_run, run)
    damage, message = CASES[case]
    damage(run)
    before = snapshot(tmp_path)
    args = [str(run)] if command == "report" else [str(table_run), str(run), "-o",
                                                   str(tmp_path / "c.html")]
    refused(lrnn_cli(command, *args), 3, message)
    assert snapshot(tmp_path) == before
