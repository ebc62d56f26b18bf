"""The real `lrnn` command end to end, and its bad-settings cases (exit 2, one line, nothing
written)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import lrnn_cli, snapshot
from tests.readme_examples import output_of, run_folder

RUN_FILES = {"model.safetensors", "model.json", "config.toml", "metrics.json", "history.csv",
             "predictions.csv", "report.html", "plots/learning_curves.png",
             "plots/confusion_matrix.png", "plots/confusion_matrix_normalized.png",
             "plots/roc_pr.png", "plots/calibration.png"}
IMAGE_LOGREG_FILES = RUN_FILES | {"plots/mistakes.png", "plots/weights.png"}
BINARY_FILES = RUN_FILES | {"plots/sigmoid.png", "plots/coefficients.png"}


def files_of(run: Path) -> set[str]:
    """The artifact's files (checkpoints are checked apart: their names carry the step)."""
    assert list((run / "checkpoints").glob("ckpt-*.safetensors")), "no checkpoint kept"
    return {str(p.relative_to(run)) for p in run.rglob("*")
            if p.is_file() and p.parent.name != "checkpoints"}


def test_train_with_no_arguments(tmp_path):
    result = lrnn_cli("train", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (run,) = (tmp_path / "runs").iterdir()
    assert re.fullmatch(r"digits-logreg-\d{8}-\d{6}", run.name)
    assert files_of(run) == RUN_FILES | {"plots/coefficients.png"}
    saved = json.loads((run / "metrics.json").read_text())
    metrics = saved["test"]
    assert metrics["accuracy"] >= 0.95
    assert list(saved["coefficients"]["by_class"]) == [str(d) for d in range(10)]
    assert len(saved["coefficients"]["by_class"]["0"]) == 64
    assert set(metrics["per_class"]["3"]) == {"precision", "recall", "f1", "support"}
    assert len(metrics["confusion_matrix"]) == 10
    assert f"saved {Path('runs') / run.name}" in result.stdout
    assert result.stderr == ""  # no progress bar when not on a terminal
    # each epoch line once, one history row per epoch: L-BFGS converged exactly at the end of a
    # round of 5 iterations, and the round after it, which ran none, recorded nothing
    assert saved["training"]["converged"] and saved["training"]["epochs"] % 5 == 0
    lines = [line for line in result.stdout.splitlines() if line.startswith("epoch")]
    assert len(lines) == len(set(lines))
    assert lines[-1].split()[1] == str(saved["training"]["epochs"])
    epochs = [row.split(",")[0] for row in (run / "history.csv").read_text().splitlines()[1:]]
    assert epochs == [str(e) for e in range(5, saved["training"]["epochs"] + 1, 5)]
    # the run ends by pointing to its report and the commands that use it
    out = result.stdout.splitlines()
    tail = out[out.index(f"saved {Path('runs') / run.name}") + 1:]
    assert tail[0] == f"report: {Path('runs') / run.name / 'report.html'}"
    assert tail[1].split()[:3] == ["next:", "lrnn", "predict"] and "lrnn evaluate" in tail[2]
    assert "lrnn runs" in tail[-1]
    # config.toml names the dataset and only settings that apply to logistic regression
    settings = tomllib.loads((run / "config.toml").read_text())
    assert settings["dataset"] == "digits" and settings["optimizer"] == "lbfgs"
    mlp_only = {"hidden_layer_sizes", "activation", "dropout", "momentum", "nesterov", "patience"}
    assert not mlp_only & set(settings)
    report = (run / "report.html").read_text()
    assert "<td>dataset</td><td>digits</td>" in report and "hidden_layer_sizes" not in report


def test_mnist_logreg(mnist_logreg_run):
    metrics = json.loads((mnist_logreg_run / "metrics.json").read_text())["test"]
    assert metrics["accuracy"] >= 0.92 and metrics["n"] == 10_000
    assert files_of(mnist_logreg_run) == IMAGE_LOGREG_FILES
    info = json.loads((mnist_logreg_run / "model.json").read_text())
    assert info["input_schema"] == {"kind": "image", "shape": [28, 28]}
    assert info["classes"] == [str(d) for d in range(10)]


TUTORIAL = ("lrnn train --dataset mnist --model logreg --optimizer sgd --lr 0.001 --batch-size "
            "100 --iterations 3000 --eval-every 500")


def test_tutorial_settings(readme_session):
    """The README's run of the tutorial's settings (tests/readme_examples.py)."""
    folder, ran = readme_session
    stdout = output_of(ran, TUTORIAL)
    reports = re.findall(r"iteration +(\d+) +loss [\d.]+ +test accuracy ([\d.]+)%", stdout)
    assert [int(step) for step, _ in reports] == [500, 1000, 1500, 2000, 2500, 3000]
    accuracies = [float(acc) for _, acc in reports]
    assert accuracies == sorted(accuracies)  # plain SGD at a small rate climbs steadily
    run = run_folder(folder, "mnist-logreg-*", optimizer="sgd")
    final = json.loads((run / "metrics.json").read_text())["test"]["accuracy"]
    assert abs(final - 0.825) <= 0.015
    assert (run / "evals.csv").read_text().count("\n") == 7


def test_mnist_mlp(readme_session):
    """The README's `lrnn train --dataset mnist --model mlp`."""
    run = run_folder(readme_session[0], "mnist-mlp-*")
    metrics = json.loads((run / "metrics.json").read_text())["test"]
    assert metrics["accuracy"] >= 0.978


def test_breast_cancer_logreg(breast_cancer_run):
    metrics = json.loads((breast_cancer_run / "metrics.json").read_text())["test"]
    assert metrics["accuracy"] >= 0.95 and metrics["threshold"] == 0.5
    assert metrics["classes"] == ["malignant", "benign"]
    assert files_of(breast_cancer_run) == BINARY_FILES


def test_config_file_and_flags(tmp_path):
    config = tmp_path / "exp.toml"
    config.write_text('dataset = "iris"\nmodel = "mlp"\nhidden_layer_sizes = [16]\nepochs = 7\n'
                      'lr = 0.5\nplots = false\n')
    result = lrnn_cli("train", "--config", str(config), "--lr", "0.02", "--out",
                      str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr
    saved = tomllib.loads((tmp_path / "run" / "config.toml").read_text())
    assert saved["dataset"] == "iris" and saved["hidden_layer_sizes"] == [16]
    assert saved["lr"] == 0.02 and saved["epochs"] == 7  # the flag wins over the file
    # plots = false (--no-plots): no figures, and the report says why it has none
    assert saved["plots"] is False and not (tmp_path / "run" / "plots").exists()
    assert "a run trained with --no-plots draws none" in (tmp_path / "run" / "report.html")\
        .read_text()
    # a run's config.toml is itself a valid --config: the same settings again
    again = lrnn_cli("train", "--config", str(tmp_path / "run" / "config.toml"), "--out",
                     str(tmp_path / "again"), "-q")
    assert again.returncode == 0, again.stderr
    # -q: the one result line, the accuracy as the normal output gives it
    accuracy = json.loads((tmp_path / "again" / "metrics.json").read_text())["test"]["accuracy"]
    assert again.stdout == f"test accuracy {accuracy:.2%}  {tmp_path / 'again'}\n"
    assert (tmp_path / "again" / "config.toml").read_text() == \
        (tmp_path / "run" / "config.toml").read_text()
    assert (tmp_path / "again" / "model.safetensors").read_bytes() == \
        (tmp_path / "run" / "model.safetensors").read_bytes()  # same seed, same weights


def test_evaluate_matches_metrics(mnist_logreg_run, tmp_path):
    result = lrnn_cli("evaluate", str(mnist_logreg_run), "-o", str(tmp_path / "m.json"))
    assert result.returncode == 0, result.stderr
    saved = json.loads((mnist_logreg_run / "metrics.json").read_text())["test"]
    again = json.loads((tmp_path / "m.json").read_text())["test"]
    assert again["accuracy"] == saved["accuracy"]
    assert again["confusion_matrix"] == saved["confusion_matrix"]


def test_help_shows_defaults():
    for args in (["--help"], ["train", "--help"], ["predict", "--help"], ["evaluate", "--help"]):
        result = lrnn_cli(*args)
        assert result.returncode == 0 and "usage: lrnn" in result.stdout
    train_help = " ".join(lrnn_cli("train", "--help").stdout.split())
    assert "(default: digits when no --data)" in train_help and "(default: 0.5)" in train_help
    # one default per option, stated once
    options = re.split(r" (?=--[A-Za-z])", train_help.split("options:")[1])
    twice = [o for o in options if o.count("default") > 1]
    assert not twice, twice
    assert "--delimiter CHAR --data: field separator (default: , (tab for .tsv))" in train_help


@pytest.mark.parametrize("args,message", [
    (["train", "--epohcs", "5"], "lrnn train: error: unrecognized arguments: --epohcs 5; did you "
                                 "mean --epochs? (see lrnn train --help)"),
    (["train", "--epoch", "3"], "unrecognized arguments: --epoch 3; did you mean --epochs?"),
    (["train", "--hidden", "32"], "--hidden 32; did you mean --hidden-layer-sizes? (see lrnn train "
                                  "--help)"),
    (["trian"], "invalid choice: 'trian' (choose from"),
    (["evaluate", "run", "--dataa", "x.csv"], "did you mean --data? (see lrnn evaluate --help)"),
])
def test_usage_errors_suggest_and_point_to_the_command_help(tmp_path, args, message):
    result = lrnn_cli(*args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    if args == ["trian"]:
        assert "did you mean 'train'? (see lrnn --help)" in result.stderr
    assert not (tmp_path / "runs").exists()  # `--epoch 3` is no abbreviation of --epochs


@pytest.mark.parametrize("args,message", [
    (["--lr", "-1"], "--lr: expected a number > 0, found '-1'"),
    (["--lr", "fast"], "--lr: expected a number > 0, found 'fast'"),
    (["--model", "svm"], "--model: expected one of logreg, mlp, found 'svm'"),
    (["--dataset", "cifar"], "--dataset: expected one of"),
    (["--C", "1", "--alpha", "1"], "set one of them"),
    (["--hidden-layer-sizes", "10,x"], "comma-separated layer widths"),
    (["--learning-rate", "0.1"], "unrecognized arguments: --learning-rate"),
    (["--config", "missing.toml"], "missing.toml: file not found"),
    (["--device", "cuda"], "--device cuda: not available"),
    (["--val-fraction", "1.5"], "--val-fraction: expected a number >= 0 and < 1"),
])
def test_bad_settings(tmp_path, args, message):
    before = snapshot(tmp_path)
    result = lrnn_cli("train", *args, "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert snapshot(tmp_path) == before


def test_misspelled_config_key(tmp_path):
    (tmp_path / "c.toml").write_text("epoch = 3\n")
    result = lrnn_cli("train", "--config", str(tmp_path / "c.toml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown setting 'epoch'; did you mean 'epochs'?" in result.stderr


def test_out_must_be_new(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    before = snapshot(tmp_path)
    result = lrnn_cli("train", "--dataset", "iris", "--out", str(out))
    assert result.returncode == 2 and "already exists" in result.stderr
    assert snapshot(tmp_path) == before


def test_a_reader_that_leaves_early_gets_no_traceback():
    """`lrnn datasets | head -1`: the pipe closes before lrnn writes; lrnn ends quietly with
    the exit status a shell gives a process killed by SIGPIPE."""
    import os

    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before lrnn starts: its first write fails, always
    process = subprocess.Popen([sys.executable, "-m", "lrnn", "datasets"], stdout=writer,
                               stderr=subprocess.PIPE)
    os.close(writer)
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and errors == ""
