"""`lrnn evaluate RUN` rebuilds the test split from the run's config.toml, which is checked
against model.json first (predict/scoring.py): a hand-edited config.toml is exit 3 naming it,
before any data is read."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import lrnn_cli, refused, snapshot


def edit_config(run, old: str, new: str) -> None:
    text = (run / "config.toml").read_text()
    assert old in text
    (run / "config.toml").write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old,new,message", [
    ('target = "y"', 'targt = "y"', "config.toml: unknown setting 'targt'; did you mean "
                                    "'target'?"),
    ('data = "', 'data = "/etc/passwd" # ', "config.toml: data = '/etc/passwd', but model.json "
                                            "says the run was trained on 'table'"),
    ('target = "y"', 'target = "colour"', "config.toml: target = 'colour', but model.json's "
                                          "target is 'y'"),
    ('target = "y"', "", "config.toml: --data"),
    ('model = "logreg"', 'model = "svm"', "config.toml: model: expected one of logreg, mlp"),
])
def test_edited_config_toml(table_run, tmp_path, old, new, message):
    run = tmp_path / "run"
    shutil.copytree(table_run, run)
    edit_config(run, old, new)
    before = snapshot(tmp_path)
    refused(lrnn_cli("evaluate", str(run)), 3, message)
    assert snapshot(tmp_path) == before


def test_a_data_path_in_config_toml_is_never_read_when_it_disagrees(table_run, tmp_path):
    """The data named by config.toml is a FIFO here: reading it would be refused as one (exit
    2); the disagreement with model.json is found first (exit 3)."""
    import os

    run = tmp_path / "run"
    shutil.copytree(table_run, run)
    os.mkfifo(tmp_path / "other.csv")
    edit_config(run, 'data = "', f'data = "{tmp_path / "other.csv"}" # ')
    refused(lrnn_cli("evaluate", str(run), timeout=60), 3, "but model.json says the run was "
                                                           "trained on 'table'")
