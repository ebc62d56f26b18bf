"""The history's validation and test scores computed on a second thread during training
(training/callbacks/late_scores.py): the same history and lines as scored in place, in the
same order, complete wherever it is read."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from lrnn.config import build_config, training_settings
from lrnn.config.recipes import resolve
from lrnn.models import losses
from lrnn.models.torch_models import architecture, build
from lrnn.preprocessing.prepare import TrainData
from lrnn.training.callbacks import late_scores
from lrnn.training.callbacks import Callback
from lrnn.training.loop import Trainer

from .test_loop import Lines

TWO_CORES = len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") else False


def _data():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    part = lambda rows: TrainData(torch.as_tensor(X[rows]), torch.as_tensor(y[rows]))  # noqa: E731
    return part(slice(400, None)), part(slice(0, 200)), part(slice(200, 400))


def _trainer(lines: list, background: bool, **settings) -> Trainer:
    train, val, test = _data()
    settings = dict(dict(model="logreg", optimizer="sgd", lr=0.05, batch_size=100), **settings)
    config = resolve(build_config(settings), len(train))
    torch.manual_seed(0)
    model = build(architecture(config, 64, 10))
    trainer = Trainer(model, training_settings(config), 10, train, val=val, test=test,
                      console=Lines(lines))
    trainer.late.allowed = background
    return trainer


def _fit(trainer: Trainer):
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # as a small model trains: a core left free
    try:
        return trainer.fit()
    finally:
        torch.set_num_threads(before)


def _without_times(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in ("time_s", "unix_time")} for row in rows]


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_scored_beside_training_gives_the_same_history_and_lines():
    lines_here, lines_beside = [], []
    here = _trainer(lines_here, background=False, iterations=40, eval_every=9)
    beside = _trainer(lines_beside, background=True, iterations=40, eval_every=9)
    history_here, history_beside = _fit(here), _fit(beside)
    assert not here.late.background and beside.late.background
    assert _without_times(history_beside.epochs) == _without_times(history_here.epochs)
    assert _without_times(history_beside.evals) == _without_times(history_here.evals)
    assert not any(np.isnan(row[f"{split}_loss"]) for row in history_beside.epochs
                   for split in ("val", "test"))
    # 14 steps an epoch: the points 9, 18, 27, 36 each print where they came in training
    strip = lambda lines: [line.rsplit("  ", 1)[0] for line in lines]  # noqa: E731 (the time)
    assert strip(lines_beside) == strip(lines_here)
    assert [line.split()[0] for line in lines_beside] == [
        "iteration", "epoch", "iteration", "iteration", "epoch", "iteration", "epoch"]


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_a_checkpoint_holds_every_test_score():
    trainer = _trainer([], background=True, epochs=3)
    states = []
    trainer.callbacks.append(_StateAtEpochEnd(states))
    _fit(trainer)
    assert trainer.late.background
    for state in states:  # each taken right after an epoch asked for its test scores
        rows = state["history"]["epochs"]
        assert rows and all(np.isfinite(row[f"{split}_accuracy"]) for row in rows
                            for split in ("val", "test"))


class _StateAtEpochEnd(Callback):
    def __init__(self, states: list):
        self.states = states

    def after_epoch(self, trainer) -> None:
        self.states.append(trainer.state())


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_the_same_step_is_scored_once(monkeypatch):
    """An --eval-every point at an epoch's end sees the same weights as the epoch's row."""
    calls = []
    real = losses.scores
    monkeypatch.setattr(late_scores, "scores", lambda *a: calls.append(1) or real(*a))
    lines = []
    trainer = _trainer(lines, background=True, batch_size=140, iterations=20, eval_every=10)
    history = _fit(trainer)
    assert trainer.late.background
    assert [e["step"] for e in history.evals] == [10, 20]
    assert [row["step"] for row in history.epochs] == [10, 20]
    assert len(calls) == 4  # six scores (two points, two epochs of two splits), four scorings
    assert history.evals[-1]["test_loss"] == history.epochs[-1]["test_loss"]
    # each point's line before its epoch's, as when scored in place
    assert [line.split()[:2] for line in lines] == [["iteration", "10"], ["epoch", "1"],
                                                    ["iteration", "20"], ["epoch", "2"]]


def test_in_place_where_no_core_is_free(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    trainer = _trainer([], background=True, epochs=1)
    _fit(trainer)
    assert not trainer.late.background


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_a_scoring_error_is_raised_in_the_training(monkeypatch):
    def broken(*args):
        raise RuntimeError("out of memory while scoring")

    monkeypatch.setattr(late_scores, "scores", broken)
    trainer = _trainer([], background=True, epochs=2)
    with pytest.raises(RuntimeError, match="out of memory while scoring"):
        _fit(trainer)


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_validation_is_scored_at_once_for_early_stopping(monkeypatch):
    """Early stopping decides by each epoch's validation loss: it is never late."""
    late_splits = []
    real = losses.scores
    monkeypatch.setattr(late_scores, "scores", lambda model, data, *a: late_splits.append(
        len(data)) or real(model, data, *a))
    decided = []
    trainer = _trainer([], background=True, epochs=4, early_stopping=True, patience=2)
    trainer.callbacks.append(_ValLossSeen(decided))
    history = _fit(trainer)
    assert trainer.late.background
    assert late_splits and set(late_splits) == {200}  # the test split only, never validation
    assert decided == [row["val_loss"] for row in history.epochs]  # each there when decided
    assert history.best_epoch is not None


class _ValLossSeen(Callback):
    def __init__(self, seen: list):
        self.seen = seen

    def on_epoch_end(self, trainer, row: dict) -> bool:
        self.seen.append(row["val_loss"])
        return False


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_no_thread_is_left_after_training():
    import threading

    trainer = _trainer([], background=True, epochs=2)
    _fit(trainer)
    assert trainer.late.background
    assert not [t for t in threading.enumerate() if t.name.startswith("lrnn-scores")
                and t.is_alive() and not t.daemon]


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_early_stopping_is_told_after_its_epoch():
    lines = []
    trainer = _trainer(lines, background=True, epochs=20, early_stopping=True, patience=2,
                       lr=0.5)
    history = _fit(trainer)
    assert trainer.late.background and history.stopped_early
    told = next(i for i, line in enumerate(lines) if line.startswith("early stopping"))
    last = history.epochs[-1]["epoch"]
    assert lines[told - 1].split()[:2] == ["epoch", str(last)]
    assert lines[told].startswith(f"early stopping at epoch {last}:")


class _FailAt(Callback):
    def __init__(self, step: int):
        self.step = step

    def after_step(self, trainer) -> None:
        if trainer.position.step == self.step:
            raise RuntimeError("the training failed here")


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_a_failed_training_still_prints_the_lines_it_had_asked_for():
    lines = []
    trainer = _trainer(lines, background=True, iterations=40, eval_every=5)
    trainer.callbacks.append(_FailAt(10))  # right after the point at step 10 was asked for
    with pytest.raises(RuntimeError, match="the training failed here"):
        _fit(trainer)
    assert trainer.late.background
    assert [line.split()[:2] for line in lines] == [["iteration", "5"], ["iteration", "10"]]
    assert [e["step"] for e in trainer.history.evals] == [5, 10]


@pytest.mark.skipif(not TWO_CORES, reason="needs a second core")
def test_scores_handed_out_are_reused_at_the_same_step(monkeypatch):
    calls, got = [], []
    real = losses.scores
    monkeypatch.setattr(late_scores, "scores", lambda *a: calls.append(1) or real(*a))
    trainer = _trainer([], background=True, epochs=1)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        trainer.late.start()
        trainer.late.request("test", lambda loss, acc: got.append((loss, acc)))
        trainer.late.settle()
        trainer.late.request("test", lambda loss, acc: got.append((loss, acc)))
        trainer.late.finish()
    finally:
        torch.set_num_threads(before)
    assert trainer.late.background and len(calls) == 1
    assert got[0] == got[1] == trainer.scores(trainer.test)
