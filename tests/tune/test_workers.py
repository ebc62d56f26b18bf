"""Studies that are repeated, interrupted, shared by two processes, or lose a worker: the
requested number of trials finishes, none lost, none run twice, and every process agrees
on the best."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.tune.conftest import finished, read_study, real_failures, tune

# small and fast: iris, mini-batch logistic regression (so trials report epochs and prune)
IRIS = ["--dataset", "iris", "--optimizer", "adam", "--epochs", "30"]
DIGITS_MLP = ["--dataset", "digits", "--model", "mlp", "--epochs", "30"]


def searched_rows(out: Path) -> list[dict]:
    """trials.csv without its clock columns."""
    with open(out / "trials.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [{k: v for k, v in row.items() if k not in ("train_seconds", "seconds", "started")}
            for row in rows]


def best_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("best of "))


def test_the_same_seed_gives_the_same_trials(tmp_path):
    runs = [tune(*IRIS, "--trials", "4", "--seed", "3", "--out", str(tmp_path / name))
            for name in ("a", "b")]
    for result in runs:
        assert result.returncode == 0, result.stderr
    first, second = (searched_rows(tmp_path / name) for name in ("a", "b"))
    assert len(first) == 4 and first == second
    assert len({row["lr"] for row in first}) == 4  # the trials differ from each other
    other = tune(*IRIS, "--trials", "4", "--seed", "4", "--out", str(tmp_path / "c"))
    assert other.returncode == 0, other.stderr
    assert searched_rows(tmp_path / "c") != first


def _wait_for_lines(process, prefix: str, count: int, timeout: float) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    while len(seen) < count and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            seen.append(line)
    return seen


def test_sigint_finishes_the_running_trial_and_a_rerun_completes_the_study(tmp_path):
    out = tmp_path / "study"
    command = [sys.executable, "-m", "lrnn", "tune", *DIGITS_MLP, "--trials", "6",
               "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    assert len(_wait_for_lines(process, "trial ", 2, timeout=300)) == 2
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 130, stderr
    assert "interrupted:" in stderr and "run the same command again" in stderr
    study = read_study(out)
    assert [t.state.name for t in study.trials if t.state.name in ("RUNNING", "FAIL")] == []
    stopped_at = len(finished(study))
    assert 2 <= stopped_at < 6
    again = tune(*DIGITS_MLP, "--trials", "6", "--out", str(out))
    assert again.returncode == 0, again.stderr
    study = read_study(out)
    assert len(finished(study)) == 6 and not real_failures(study)
    assert len(searched_rows(out)) == 6


def _check_shared_study(study, trials: int) -> None:
    done = finished(study)
    assert len(done) == trials, [(t.number, t.state.name) for t in study.trials]
    assert not real_failures(study)
    assert not [t for t in study.trials if t.state.name in ("RUNNING", "WAITING")]
    settings = [tuple(sorted(t.params.items())) for t in done]
    assert len(set(settings)) == trials  # no trial ran twice


def test_two_processes_share_one_journal_study(tmp_path):
    out = tmp_path / "study"
    args = [sys.executable, "-m", "lrnn", "tune", *DIGITS_MLP, "--trials", "8", "--out",
            str(out)]
    first = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)  # the first usually creates the study; the second joins it
    second = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    for process, (stdout, stderr) in zip((first, second), outputs):
        assert process.returncode == 0, stderr
    study = read_study(out)
    _check_shared_study(study, 8)
    workers = {t.user_attrs["lrnn_worker"]["pid"] for t in finished(study)}
    assert workers == {first.pid, second.pid}  # both did work
    assert best_line(outputs[0][0]) == best_line(outputs[1][0])


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def test_workers_option_and_a_killed_worker_whose_trial_is_run_again(tmp_path):
    out = tmp_path / "study"
    command = [sys.executable, "-m", "lrnn", "tune", *DIGITS_MLP, "--trials", "8",
               "--workers", "2", "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    victim, deadline = None, time.monotonic() + 300
    while victim is None and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.3)
        children = _children(process.pid)
        if children and (out / "study.journal").exists():
            # a trial training: every setting drawn (batch_size is the last one)
            running = [t for t in read_study(out).trials if t.state.name == "RUNNING"
                       and t.user_attrs.get("lrnn_worker", {}).get("pid") in children
                       and "batch_size" in t.params]
            if running:
                victim = running[0]
                os.kill(victim.user_attrs["lrnn_worker"]["pid"], signal.SIGKILL)
    assert victim is not None, "the second worker never ran a trial"
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    assert "ended with exit code -9" in stderr
    study = read_study(out)
    killed = study.trials[victim.number]
    assert killed.state.name == "FAIL"
    retried = [t for t in study.trials if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retried) == 1 and retried[0].params == killed.params
    assert retried[0].state.name in ("COMPLETE", "PRUNED")
    done = finished(study)
    assert len(done) == 8
    assert not [t for t in study.trials if t.state.name in ("RUNNING", "WAITING")]


def test_without_workers_a_small_split_runs_one_worker_a_core_and_a_large_one_one():
    """--workers unset: trials of a small training split side by side, one worker a core,
    at most one per TRIALS_PER_WORKER trials still to run; one worker for a large split, a
    study already done, too few trials to share, or trials solved by full-batch L-BFGS."""
    from lrnn.config.recipes import SMALL_ROWS
    from lrnn.tune.worker import TRIALS_PER_WORKER, auto_workers

    assert auto_workers(142, 30, cores=2) == 2
    assert auto_workers(142, 30, cores=16) == 30 // TRIALS_PER_WORKER
    assert auto_workers(142, 2 * TRIALS_PER_WORKER - 1, cores=2) == 1
    assert auto_workers(142, 2 * TRIALS_PER_WORKER, cores=4) == 2
    assert auto_workers(142, None, cores=4) == 4  # --timeout alone: no count to share
    assert auto_workers(SMALL_ROWS, 30, cores=2) == 2
    assert auto_workers(SMALL_ROWS + 1, 30, cores=2) == 1
    assert auto_workers(SMALL_ROWS + 1, None, cores=8) == 1
    assert auto_workers(142, 0, cores=2) == auto_workers(142, -1, cores=2) == 1
    assert auto_workers(142, 5, cores=1) == 1
    assert auto_workers(142, 30, lbfgs=True, cores=2) == 1  # L-BFGS: milliseconds


def test_auto_workers_count_the_cores_this_process_may_use(monkeypatch):
    from lrnn.tune.worker import TRIALS_PER_WORKER, auto_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert auto_workers(142, 30) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    assert auto_workers(142, 30) == 30 // TRIALS_PER_WORKER


def test_the_workers_flag_defaults_to_the_automatic_count():
    from lrnn.cli.parser import build_parser

    argv = ["tune", "--dataset", "iris"]
    assert build_parser(argv).parse_args(argv).workers is None


def test_trials_use_lbfgs_for_the_small_logistic_regression_s_recipe():
    from lrnn.config import build_config
    from lrnn.tune.default_spaces import default_space
    from lrnn.tune.worker import trials_use_lbfgs

    logreg = {"dataset": "wine", "model": "logreg"}
    space = default_space(build_config(logreg), 142)
    assert trials_use_lbfgs(space, logreg, 142)
    assert not trials_use_lbfgs(space, logreg, 30_000)  # mini-batch Adam above small_rows
    mlp = {"dataset": "wine", "model": "mlp"}
    assert not trials_use_lbfgs(default_space(build_config(mlp), 142), mlp, 142)


def test_workers_started_early_for_small_data_only(tmp_path, monkeypatch):
    """Before the data is read: the workers --workers asks for, or auto_workers' choice for
    data that looks small (a scikit-learn dataset, a small file); none for MNIST or a large
    file, nor for trials that L-BFGS solves."""
    from lrnn.config import build_config
    from lrnn.tune.runner import EARLY_FILE_BYTES, Options, _early_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # where there is no affinity

    def early(values: dict, workers=None, trials=None) -> int:
        options = Options(trials=trials, timeout=None, space=None, metric="val_loss",
                          sampler="tpe", pruner="median", out=None, workers=workers,
                          storage=None, study=None)
        return _early_workers(options, 30 if trials is None else trials, build_config(values),
                              values, None)

    assert early({"dataset": "iris", "model": "mlp"}) == 1
    assert early({"dataset": "iris", "model": "mlp"}, trials=6) == 0  # too few to share
    assert early({"dataset": "iris", "model": "logreg"}) == 0  # L-BFGS trials
    assert early({"dataset": "mnist", "model": "mlp"}) == 0
    assert early({"dataset": "mnist", "model": "mlp"}, workers=3) == 2
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_text("a,y\n1,0\n2,1\n")
    with open(large, "wb") as f:
        f.truncate(EARLY_FILE_BYTES + 1)
    assert early({"data": str(small), "target": "y", "model": "mlp"}) == 1
    assert early({"data": str(large), "target": "y", "model": "mlp"}) == 0
    assert early({"data": str(tmp_path / "missing.csv"), "target": "y", "model": "mlp"}) == 0


def test_a_worker_started_early_and_not_needed_ends_by_itself():
    """Released without a job (the command chose fewer workers, or failed first), an early
    worker ends on its own, exit 0 (test_space.py's bad options see that it prints nothing:
    their `lrnn tune` starts one, and its stderr is theirs)."""
    from lrnn.tune.worker import EarlyWorkers

    with EarlyWorkers(2) as early:
        processes = list(early._idle)
        assert len(processes) == 2 and all(p.poll() is None for p in processes)
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    assert early.take(1) == []
