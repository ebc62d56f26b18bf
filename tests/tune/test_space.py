"""Bad search spaces and bad study options: exit 2, one line naming the problem, before any
trial runs and before the study's folder is created."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import snapshot
from tests.tune.conftest import tune

CASES = [
    ("bach_size = { choices = [32, 64] }", r"unknown setting 'bach_size'; did you mean 'batch_size'\?"),
    ("lr = { low = 0.1, high = 0.001 }", r"lr: inverted range: low 0.1 is above high 0.001"),
    ("lr = { low = 0.01, high = 0.01 }", r"lr: empty range: low = high = 0.01"),
    ('activation = { choices = ["relu", "swish"] }',
     r"activation: choice: expected one of relu, tanh, .*found 'swish'"),
    ("batch_size = { choices = [64, 0] }", r"batch_size: choice: expected an integer >= 1 "
                                           r"and <= \d+, found 0"),
    ("dropout = { low = 0.0, high = 1.5 }", r"dropout: high: expected a number >= 0 and < 1"),
    ("alpha = { low = 0.0, high = 1.0, log = true }", r"alpha: log scale needs low > 0"),
    ("epochs = { low = 5, high = 12, step = 5 }", r"epochs: step 5 does not divide"),
    ("lr = { lo = 0.001, high = 0.1 }", r"lr: unknown key 'lo'; did you mean 'low'\?"),
    ('activation = { low = 1, high = 2 }', r"activation: expected choices = \[...\]"),
    ("C = { low = 0.1, high = 10 }\nalpha = { low = 0.1, high = 10 }",
     r"C and alpha: search one of them"),
    ("val_fraction = { low = 0.1, high = 0.3 }", r"val_fraction: chooses the data"),
    ("early_stopping = true", r"no setting to search"),
    ("hidden_layer_sizes = { layers = { low = 3, high = 1 }, width = { low = 8, high = 64 } }",
     r"hidden_layer_sizes: layers: inverted range"),
    ("lr = [0.1", r"not valid TOML"),
]


@pytest.mark.parametrize("text,message", CASES)
def test_bad_space_file_is_refused_before_anything_runs(tmp_path, text, message):
    space = tmp_path / "space.toml"
    space.write_text(text + "\n")
    out = tmp_path / "study"
    result = tune("--dataset", "iris", "--model", "mlp", "--space", str(space), "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lrnn tune: error: "), result.stderr
    assert str(space) in lines[0]
    import re

    assert re.search(message, lines[0]), lines[0]
    assert not out.exists()


@pytest.mark.parametrize("args,message", [
    (["--storage", "sqlite:///x.db"], "SQLite locks when several workers write"),
    (["--storage", "redis://127.0.0.1:9/0"], "expected postgresql://"),
    (["--storage", "postgresql://lrnn:secret@127.0.0.1:9/none"], "cannot open the database"),
    (["--val-fraction", "0"], "chooses on the validation split"),
    (["--timeout", "-5"], "--timeout: expected seconds > 0, found -5"),
    (["--space", "missing.toml"], "missing.toml: file not found"),
    (["--lr", "0.01", "--space", "{space}"], "--lr: is also searched in --space"),
])
def test_bad_study_options(tmp_path, args, message):
    space = tmp_path / "space.toml"
    space.write_text("lr = { low = 0.001, high = 0.1, log = true }\n")
    args = [a.replace("{space}", str(space)) for a in args]
    out = tmp_path / "study"
    result = tune("--dataset", "iris", "--optimizer", "adam", "--out", str(out), *args,
                  cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert "secret" not in result.stderr  # a password is never echoed
    assert not out.exists()


def test_missing_extra_names_the_pip_command(tmp_path):
    import subprocess

    hide = ("import sys; sys.modules['optuna'] = None; from lrnn.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    result = subprocess.run([sys.executable, "-c", hide, "tune", "--dataset", "iris",
                             "--out", str(tmp_path / "s")], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == ("lrnn tune: error: needs the tune extra: "
                                     "pip install 'lrnn[tune]'")


def test_an_existing_study_with_another_space_or_data_is_refused(chile_study, tmp_path):
    out, _ = chile_study
    before = snapshot(out)
    space = tmp_path / "space.toml"
    space.write_text("C = { low = 0.01, high = 100, log = true }\n")
    from tests.tune.conftest import CHILE

    other_space = tune(*CHILE, "--space", str(space), "--trials", "5", "--out", str(out))
    assert other_space.returncode == 2
    assert "exists with another search space" in other_space.stderr
    other_data = tune(*CHILE, "--seed", "1", "--trials", "5", "--out", str(out))
    assert other_data.returncode == 2
    assert "exists with other data (seed: 0 there, 1 here)" in other_data.stderr
    other_metric = tune(*CHILE, "--metric", "accuracy", "--trials", "5", "--out", str(out))
    assert other_metric.returncode == 2 and "another metric" in other_metric.stderr
    assert snapshot(out) == before
