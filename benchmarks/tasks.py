"""What the benchmark runs: lrnn's commands and the peers, each a command line for one
repetition and a way to read what that repetition achieved from the files it left."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from benchmarks.peers.common import read_idx, read_reports
from benchmarks.results import Outcome, Point
from benchmarks.targets import LOGREG_ACCURACY, MLP_ACCURACY, TUTORIAL_ACCURACY, TUTORIAL_TOLERANCE

TUTORIAL_SETTINGS = ["--optimizer", "sgd", "--lr", "0.001", "--batch-size", "100",
                     "--iterations", "3000", "--eval-every", "500"]
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"


@dataclass(frozen=True)
class Context:
    data_root: Path  # holds mnist/ (what LRNN_DATA_DIR names)
    work: Path  # every repetition's files and logs go below here
    device: str

    @property
    def mnist(self) -> Path:
        return self.data_root / "mnist"

    @property
    def artifacts(self) -> Path:
        """Saved models that the predict tasks load, made once before the measurements."""
        return self.work / "artifacts"


def lrnn_command() -> list[str]:
    """The `lrnn` entry point users run, from the same environment as this Python."""
    script = shutil.which("lrnn", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "lrnn"]


def peer_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"benchmarks.peers.{module}", *args]


@dataclass(frozen=True)
class Task:
    name: str
    what: str  # one line for the table
    target: float | None  # the test accuracy whose time-to-accuracy is measured
    command: Callable[[Context, Path], list[str]]  # (context, this repetition's folder)
    collect: Callable[[Context, Path, Path], Outcome]  # (context, folder, log) -> outcome
    setup: Callable[[Context], list[str]] | None = None  # run once, unmeasured, beforehand


# --- reading what a repetition left behind -----------------------------------------------------


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def lrnn_outcome(ctx: Context, folder: Path, log: Path) -> Outcome:
    """history.csv has the test accuracy after each epoch on both clocks; evals.csv (with
    --eval-every) only on the training clock, placed on the wall clock through history's rows."""
    run = folder / "run"
    history = _csv_rows(run / "history.csv")
    curve = [Point(float(r["unix_time"]), float(r["test_accuracy"]), float(r["time_s"]))
             for r in history if r["test_accuracy"] not in ("", "nan")]
    if history:
        started = float(history[0]["unix_time"]) - float(history[0]["time_s"])
        curve += [Point(started + float(r["time_s"]), float(r["test_accuracy"]), float(r["time_s"]))
                  for r in _csv_rows(run / "evals.csv")]
    metrics = run / "metrics.json"
    final = json.loads(metrics.read_text())["test"]["accuracy"] if metrics.exists() else None
    return Outcome(tuple(sorted(curve, key=lambda p: p.unix_time)), final)


def peer_outcome(ctx: Context, folder: Path, log: Path) -> Outcome:
    """The peer's own reports; the final one is a point of the curve too (for a peer that
    scores the test set only once, the only one)."""
    reports = read_reports(log.read_text(errors="replace"))
    curve = tuple(Point(r["unix_time"], r["test_accuracy"]) for r in reports)
    finals = [r["test_accuracy"] for r in reports if r.get("final")]
    return Outcome(curve, finals[-1] if finals else None)


def predictions_outcome(ctx: Context, folder: Path, log: Path) -> Outcome:
    """A predict task's accuracy from its CSV: proof that it predicted the real labels."""
    rows = _csv_rows(folder / "predictions.csv")
    if not rows:
        return Outcome()
    labels = read_idx(ctx.mnist / TEST_LABELS)
    predicted = [int(float(r["prediction"])) for r in rows]
    if len(predicted) != len(labels):
        return Outcome()
    correct = sum(p == y for p, y in zip(predicted, labels.tolist(), strict=True))
    return Outcome((), correct / len(labels))


# --- the tasks ------------------------------------------------------------------------------


def lrnn_train(ctx: Context, folder: Path, model: str, *settings: str) -> list[str]:
    """The defaults are what get benchmarked: no flag beyond dataset and model (and --device
    when the benchmark runs on a GPU) unless `settings` name a published recipe."""
    device = ["--device", ctx.device] if ctx.device != "cpu" else []
    return [*lrnn_command(), "train", "--dataset", "mnist", "--model", model, *settings, *device,
            "--out", str(folder / "run")]


def torch_peer(module: str) -> Callable[[Context, Path], list[str]]:
    return lambda ctx, folder: peer_command(module, "--data-dir", str(ctx.mnist), "--device",
                                            ctx.device)


def cpu_peer(module: str) -> Callable[[Context, Path], list[str]]:
    return lambda ctx, folder: peer_command(module, "--data-dir", str(ctx.mnist))


def no_outcome(ctx: Context, folder: Path, log: Path) -> Outcome:
    """A command that trains nothing: only its wall counts."""
    return Outcome()


def lrnn_predict(ctx: Context, folder: Path) -> list[str]:
    return [*lrnn_command(), "predict", str(ctx.artifacts / "lrnn-logreg"),
            str(ctx.mnist / TEST_IMAGES), "-o", str(folder / "predictions.csv")]


def lrnn_predict_setup(ctx: Context) -> list[str]:
    return [*lrnn_command(), "train", "--dataset", "mnist", "--model", "logreg", "--quiet",
            "--out", str(ctx.artifacts / "lrnn-logreg")]


def sklearn_predict(ctx: Context, folder: Path) -> list[str]:
    return peer_command("sklearn_predict", str(ctx.artifacts / "sklearn-logreg.joblib"),
                        str(ctx.mnist / TEST_IMAGES), "-o", str(folder / "predictions.csv"))


def sklearn_predict_setup(ctx: Context) -> list[str]:
    return peer_command("sklearn_logreg", "--data-dir", str(ctx.mnist), "--save",
                        str(ctx.artifacts / "sklearn-logreg.joblib"))


TUTORIAL_LOW = TUTORIAL_ACCURACY - TUTORIAL_TOLERANCE

TASKS = (
    Task("lrnn-logreg", "lrnn train --model logreg (defaults)", LOGREG_ACCURACY,
         lambda ctx, f: lrnn_train(ctx, f, "logreg"), lrnn_outcome),
    Task("lrnn-tutorial", "lrnn train --model logreg, the tutorial's settings", TUTORIAL_LOW,
         lambda ctx, f: lrnn_train(ctx, f, "logreg", *TUTORIAL_SETTINGS), lrnn_outcome),
    Task("lrnn-mlp", "lrnn train --model mlp (defaults)", MLP_ACCURACY,
         lambda ctx, f: lrnn_train(ctx, f, "mlp"), lrnn_outcome),
    Task("lrnn-predict", "lrnn predict, 10,000 test images", None, lrnn_predict,
         predictions_outcome, lrnn_predict_setup),
    Task("lrnn-help", "lrnn --help", None, lambda ctx, f: [*lrnn_command(), "--help"],
         no_outcome),
    Task("lrnn-datasets", "lrnn datasets", None, lambda ctx, f: [*lrnn_command(), "datasets"],
         no_outcome),
    Task("tutorial", "the tutorial pipeline (PIL Dataset, SGD 0.001, 3,000 it.)", TUTORIAL_LOW,
         torch_peer("tutorial"), peer_outcome),
    Task("sklearn-logreg", "scikit-learn LogisticRegression()", LOGREG_ACCURACY,
         cpu_peer("sklearn_logreg"), peer_outcome),
    Task("sklearn-mlp", "scikit-learn MLPClassifier((256,)), 20 epochs", MLP_ACCURACY,
         cpu_peer("sklearn_mlp"), peer_outcome),
    Task("skorch-mlp", "skorch NeuralNetClassifier 784-100-10, 10 epochs", MLP_ACCURACY,
         torch_peer("skorch_mlp"), peer_outcome),
    Task("sklearn-predict", "scikit-learn + joblib load and predict, 10,000", None,
         sklearn_predict, predictions_outcome, sklearn_predict_setup),
)
