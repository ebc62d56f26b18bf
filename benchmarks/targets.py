"""The targets of BENCHMARKS.md and issue 16, each judged from the summaries of one run of the
benchmark.

Each ratio compares lrnn with a peer measured in the same run, since absolute times drift on a
shared machine. A user waits for the whole command, so "X % in <= r x the peer's wall" is read
as: lrnn's median whole wall (Python start to exit, every file of the run written: metrics,
plots, report) over the peer's median whole wall, with lrnn's final model at X %. The time
until lrnn's test accuracy first reached X % (time-to-accuracy) is printed beside it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from benchmarks.results import Summary

LOGREG_ACCURACY, LOGREG_RATIO = 0.925, 0.15
TUTORIAL_ACCURACY, TUTORIAL_TOLERANCE, TUTORIAL_RATIO = 0.825, 0.01, 0.15
MLP_ACCURACY, MLP_RATIO = 0.98, 0.25
MEMORY_LIMIT_MIB = 1024
PREDICT_RATIO = 0.1
START_LIMIT_S = 0.4  # `lrnn --help`, `lrnn datasets`
GPU_TRAIN_LIMIT_S = 2.0


@dataclass(frozen=True)
class Verdict:
    name: str
    goal: str  # as BENCHMARKS.md states it
    measured: str  # the figures behind the verdict, in words
    value: float | None  # the ratio (or seconds, MiB) compared with `limit`
    limit: float
    passed: bool | None  # None: not measured in this run


def _not_measured(name: str, goal: str, limit: float, why: str) -> Verdict:
    return Verdict(name, goal, why, None, limit, None)


def _missing(summaries: dict[str, Summary], *names: str) -> str | None:
    absent = [n for n in names if n not in summaries]
    return f"not run: {', '.join(absent)}" if absent else None


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2%}"


def _secs(x: float | None) -> str:
    return "never" if x is None else f"{x:.2f} s"


def whole_wall(name: str, goal: str, lrnn: Summary, peer: Summary, accuracy: float,
               limit: float) -> Verdict:
    """lrnn's whole wall is at most `limit` x the peer's, its final model at `accuracy`; the
    time to `accuracy` (from spawn) is reported beside."""
    ratio = _ratio(lrnn.wall_s, peer.wall_s)
    to_target = _ratio(lrnn.time_to_target_s, peer.wall_s)
    final_ok = lrnn.accuracy is not None and lrnn.accuracy >= accuracy
    measured = (f"whole walls {_secs(lrnn.wall_s)} / {_secs(peer.wall_s)}; {lrnn.name} final "
                f"{_pct(lrnn.accuracy)}, reached {accuracy:.1%} at "
                f"{_secs(lrnn.time_to_target_s)} ({lrnn.reached}/{len(lrnn.repetitions)} runs; "
                f"{'n/a' if to_target is None else f'{to_target:.3f}'} of the peer's wall); "
                f"{peer.name} {_pct(peer.accuracy)}")
    passed = ratio is not None and ratio <= limit and final_ok
    return Verdict(name, goal, measured, ratio, limit, passed)


def logreg(s: dict[str, Summary]) -> Verdict:
    goal = (f">= {LOGREG_ACCURACY:.1%}, whole wall <= {LOGREG_RATIO} x scikit-learn "
            f"LogisticRegression's")
    if why := _missing(s, "lrnn-logreg", "sklearn-logreg"):
        return _not_measured("logreg", goal, LOGREG_RATIO, why)
    return whole_wall("logreg", goal, s["lrnn-logreg"], s["sklearn-logreg"], LOGREG_ACCURACY,
                      LOGREG_RATIO)


def mlp(s: dict[str, Summary]) -> Verdict:
    goal = (f">= {MLP_ACCURACY:.1%}, whole wall <= {MLP_RATIO} x MLPClassifier((256,))'s "
            f"20 epochs")
    if why := _missing(s, "lrnn-mlp", "sklearn-mlp"):
        return _not_measured("mlp", goal, MLP_RATIO, why)
    return whole_wall("mlp", goal, s["lrnn-mlp"], s["sklearn-mlp"], MLP_ACCURACY, MLP_RATIO)


def tutorial(s: dict[str, Summary]) -> Verdict:
    """The whole walls, with lrnn's final model in 82.5 +- 1 % (the time until it first
    reached the low end of the band is reported beside)."""
    goal = (f"tutorial settings: {TUTORIAL_ACCURACY:.1%} +- {TUTORIAL_TOLERANCE:.0%}, whole "
            f"wall <= {TUTORIAL_RATIO} x the tutorial pipeline's")
    if why := _missing(s, "lrnn-tutorial", "tutorial"):
        return _not_measured("tutorial", goal, TUTORIAL_RATIO, why)
    lrnn, peer = s["lrnn-tutorial"], s["tutorial"]
    low = TUTORIAL_ACCURACY - TUTORIAL_TOLERANCE
    verdict = whole_wall("tutorial", goal, lrnn, peer, low, TUTORIAL_RATIO)
    in_band = (lrnn.accuracy is not None
               and abs(lrnn.accuracy - TUTORIAL_ACCURACY) <= TUTORIAL_TOLERANCE)
    return dataclasses.replace(verdict, passed=bool(verdict.passed) and in_band)


def startup(s: dict[str, Summary], task: str, command: str) -> Verdict:
    """A command that only starts and prints: its median whole wall in seconds."""
    goal = f"{command} <= {START_LIMIT_S} s"
    if why := _missing(s, task):
        return _not_measured(task.removeprefix("lrnn-"), goal, START_LIMIT_S, why)
    wall = s[task].wall_s
    return Verdict(task.removeprefix("lrnn-"), goal, f"{task} {_secs(wall)}", wall,
                   START_LIMIT_S, wall is not None and wall <= START_LIMIT_S)


def memory(s: dict[str, Summary]) -> Verdict:
    goal = f"peak resident memory <= {MEMORY_LIMIT_MIB} MiB (every lrnn process)"
    lrnn = [x for name, x in s.items() if name.startswith("lrnn-") and x.repetitions]
    if not lrnn:
        return _not_measured("memory", goal, MEMORY_LIMIT_MIB, "no lrnn task run")
    worst = max(lrnn, key=lambda x: x.max_rss_mib)
    measured = f"largest: {worst.name} {worst.max_rss_mib:.0f} MiB"
    return Verdict("memory", goal, measured, worst.max_rss_mib, MEMORY_LIMIT_MIB,
                   worst.max_rss_mib <= MEMORY_LIMIT_MIB)


def predict(s: dict[str, Summary]) -> Verdict:
    goal = (f"lrnn predict on 10,000 rows <= {PREDICT_RATIO} x scikit-learn + joblib load and "
            f"predict")
    if why := _missing(s, "lrnn-predict", "sklearn-predict"):
        return _not_measured("predict", goal, PREDICT_RATIO, why)
    lrnn, peer = s["lrnn-predict"], s["sklearn-predict"]
    ratio = _ratio(lrnn.wall_s, peer.wall_s)
    measured = f"lrnn-predict {_secs(lrnn.wall_s)}; sklearn-predict {_secs(peer.wall_s)}"
    return Verdict("predict", goal, measured, ratio, PREDICT_RATIO,
                   ratio is not None and ratio <= PREDICT_RATIO)


def gpu(s: dict[str, Summary], device: str) -> Verdict:
    goal = f"on a GPU: MLP to >= {MLP_ACCURACY:.1%} in <= {GPU_TRAIN_LIMIT_S:g} s of training"
    if device != "cuda":
        return _not_measured("gpu", goal, GPU_TRAIN_LIMIT_S, "not applicable: --device cpu")
    if why := _missing(s, "lrnn-mlp"):
        return _not_measured("gpu", goal, GPU_TRAIN_LIMIT_S, why)
    seconds = s["lrnn-mlp"].train_time_to_target_s
    measured = f"lrnn-mlp training time to {MLP_ACCURACY:.1%}: {_secs(seconds)}"
    return Verdict("gpu", goal, measured, seconds, GPU_TRAIN_LIMIT_S,
                   seconds is not None and seconds <= GPU_TRAIN_LIMIT_S)


def judge(summaries: dict[str, Summary], device: str) -> list[Verdict]:
    return [logreg(summaries), tutorial(summaries), mlp(summaries), memory(summaries),
            predict(summaries), startup(summaries, "lrnn-help", "lrnn --help"),
            startup(summaries, "lrnn-datasets", "lrnn datasets"), gpu(summaries, device)]
