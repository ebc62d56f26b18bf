"""A worker: asks the study for trials and runs them until the study has its trials, the
deadline passes, or it is told to stop.

`lrnn tune --workers K` runs one worker in its own process and K - 1 more by this module's
main() (the job as JSON on standard input, given once the study is open: one started before
the data is read imports torch and Optuna meanwhile), each in its own session so that Ctrl-C
reaches the command alone, which passes it on. Trials run on a thread: the main thread keeps
the signals (Trainer only watches them on the main thread), so the first Ctrl-C lets the
running trial finish and a second one stops it at its next epoch end.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from ._lrnn import (InputError, LrnnError, build_config, import_training, prepare_data, resolve,
                    small_rows, usable_cores)
from .objective import SURPLUS, Aborted, Objective, TrialFailed
from .space import Space, space_from
from .study import (fail_dead_trials, load_study, make_pruner, make_sampler, open_storage,
                    quiet_optuna)

FAILURES_IN_A_ROW = 20  # a worker gives up when this many trials in a row fail
# A worker process takes ~1.5 s of a core to start (Python, torch, the data), beside the first
# one's trials: below this many trials still to run for each worker, it would mostly wait.
TRIALS_PER_WORKER = 8
# Ended by exit_now: the command waits for its workers before best/, and a worker's own
# teardown with torch loaded (every module's objects freed) took ~0.5 s of that wait.
WORKER_MAIN = "from lrnn.cli import exit_now; from lrnn.tune.worker import main; exit_now(main())"
# How often a worker with nothing to start looks at the study again while the last trials run
# elsewhere: the study ends (and best/ starts) at the first look after the last trial ends.
# Looking every 1.0 s left 0.98 s between the last trial and best/ in a wine MLP study; a
# look at a journal file costs 0.1-0.2 ms. A database, shared by many workers, is asked less.
LOOK_AGAIN_JOURNAL_S, LOOK_AGAIN_DATABASE_S = 0.05, 1.0


@dataclass(frozen=True)
class Job:
    base: dict  # the settings given as flags (TOML-ready values)
    space: dict  # Space.to_json()
    out: str
    storage: str | None
    study: str
    trials: int | None
    deadline: float | None  # time.time() after which no trial starts
    metric: str
    sampler: str
    pruner: str
    seed: int
    threads: int
    folds: int = 0  # study_folds'

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Job":
        return cls(**json.loads(text))

    def space_object(self):
        spec = self.space
        return space_from({**spec["fixed"], **spec["searched"]}, "the study's search space")


class Signals:
    """SIGINT: finish the running trial and stop; again, or SIGTERM: stop at the next epoch
    end (the trial is failed, and run again by a later command)."""

    def __init__(self, forward: Callable[[int], None] = lambda signum: None):
        self.stop, self.abort = threading.Event(), threading.Event()
        self.signum: int | None = None
        self._forward, self._previous = forward, {}

    def _handle(self, signum, frame) -> None:
        if signum == signal.SIGTERM or self.stop.is_set():
            self.abort.set()
        self.stop.set()
        self.signum = self.signum or signum
        self._forward(signum)

    def install(self) -> None:
        for s in (signal.SIGINT, signal.SIGTERM):
            self._previous[s] = signal.signal(s, self._handle)

    def restore(self) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)

    @property
    def exit_code(self) -> int:
        return 128 + self.signum if self.signum else 0


def finished_and_running(study) -> tuple[int, int]:
    states = [t.state.name for t in study.get_trials(deepcopy=False)]
    return sum(s in ("COMPLETE", "PRUNED") for s in states), states.count("RUNNING")


def trials_needed(study, trials: int | None) -> int | None:
    """How many more trials this worker should start now: None for no limit, 0 when the
    study has its trials, -1 while the last ones run elsewhere (one may fail and come back,
    and every worker reports the same best only once they end)."""
    if trials is None:
        return None
    done, running = finished_and_running(study)
    return 0 if done >= trials else -1 if done + running >= trials else trials - done - running


def sampler_seed(seed: int, worker: int, trials_before: int) -> int:
    """Each worker, and each continuation of a study, draws its own random numbers; one
    worker on a new study draws the same ones every time."""
    import numpy as np

    return int(np.random.SeedSequence([seed, worker, trials_before]).generate_state(1)[0])


def run_trials(job: Job, prepared, device, signals: Signals, worker: int = 0,
               warn: Callable[[str], None] = print) -> None:
    """Trials until the study has `job.trials` finished ones (complete or pruned), the
    deadline passes, or `signals` says stop."""
    import torch

    quiet_optuna()
    torch.set_num_threads(job.threads)
    out, storage = Path(job.out), open_storage(job.storage, Path(job.out))
    trials_before = len(load_study(storage, job.study, None, None).get_trials(deepcopy=False))
    startup = max(3, min(10, job.trials // 3)) if job.trials else 5
    sampler = make_sampler(job.sampler, sampler_seed(job.seed, worker, trials_before), startup)
    study = load_study(storage, job.study, sampler, make_pruner(job.pruner))
    objective = Objective(job.base, job.space_object(), job.metric, job.pruner != "none",
                          job.trials, prepared, device, signals.abort, job.folds)
    ended: list = []
    failures = 0
    while not signals.stop.is_set() and (job.deadline is None or time.time() < job.deadline):
        fail_dead_trials(study, out)
        needed = trials_needed(study, job.trials)
        if needed == 0:
            break
        if needed == -1:
            signals.stop.wait(LOOK_AGAIN_JOURNAL_S if job.storage is None else
                              LOOK_AGAIN_DATABASE_S)
            continue
        study.optimize(objective, n_trials=1, catch=(TrialFailed, Aborted),
                       callbacks=[lambda study, trial: ended.append(trial)])
        trial = ended[-1]
        if trial.state.name != "FAIL" or trial.user_attrs.get(SURPLUS):
            failures = 0
            continue
        if signals.abort.is_set():
            break
        failures += 1
        warn(f"trial {trial.number} failed: {trial.user_attrs.get('lrnn_note', '?')}")
        if failures >= FAILURES_IN_A_ROW:
            raise InputError(f"{failures} trials in a row failed (the last: "
                             f"{trial.user_attrs.get('lrnn_note', '?')}); check the space")


class TrialThread(threading.Thread):
    """run_trials on a thread; its exception, if any, is kept for the main thread."""

    def __init__(self, *args, **kwargs):
        super().__init__(daemon=True, name="lrnn-tune-trials")
        self._call, self.error = (args, kwargs), None

    def run(self) -> None:
        args, kwargs = self._call
        try:
            run_trials(*args, **kwargs)
        except BaseException as exc:  # handed to the main thread
            self.error = exc


def wait(thread: threading.Thread, tick: Callable[[], None] = lambda: None,
         every: float = 0.5) -> None:
    while thread.is_alive():
        thread.join(every)
        tick()
    if getattr(thread, "error", None) is not None:
        raise thread.error


def main() -> int:
    """`python -m lrnn.tune.worker`: one more worker of `lrnn tune --workers K`."""
    def warn(message: str) -> None:
        print(f"lrnn tune: warning: {message}", file=sys.stderr)

    signals = Signals()
    signals.install()
    try:
        import_training()  # before the job: started early, this overlaps the command's start
        text = sys.stdin.read()
        if not text.strip():  # started early, and not needed after all
            return 0
        job = Job.from_json(text)
        worker = int(sys.argv[1]) if len(sys.argv) > 1 else 1
        prepared, device = prepare_data(build_config(job.base), show_warnings=False)
        thread = TrialThread(job, prepared, device, signals, worker, warn)
        thread.start()
        wait(thread)
    except LrnnError as exc:
        print(f"lrnn tune: worker: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return signals.exit_code


def auto_workers(n_train: int, trials_left: int | None, lbfgs: bool = False,
                 cores: int | None = None) -> int:
    """How many worker processes when --workers is not given. A small training split (up to
    small_rows()) makes short trials of small models, which use a core or two each: trials
    side by side use the machine, one at a time leave cores idle (wine's MLP, 30 trials on 2
    cores: 15.1 -> 8.7 s, benchmarks/RESULTS.md). So: one a core, and at most one for each
    TRIALS_PER_WORKER trials still to run (--timeout alone: one a core). One worker for a
    larger split, whose trials use every core themselves, and for trials that full-batch
    L-BFGS solves (`lbfgs`; a small split's logistic regression), which take milliseconds: a
    second process's start would cost more than it shares (wine, 30 trials: 1.95 s with one
    worker, 3.10 s with two)."""
    cores = cores or usable_cores()
    if n_train > small_rows() or lbfgs or trials_left is not None and trials_left <= 0:
        return 1
    if trials_left is None:
        return cores
    return max(1, min(cores, trials_left // TRIALS_PER_WORKER))


def trials_use_lbfgs(space: Space, base_values: dict, n_train: int) -> bool:
    """Whether every trial trains by full-batch L-BFGS: the optimizer is not searched, and the
    one given or chosen by the recipe for this split is L-BFGS."""
    if "optimizer" in space.names:
        return False
    return resolve(build_config({**base_values, **space.fixed}), n_train).optimizer == "lbfgs"


def start(worker: int) -> Any:
    """A worker process, importing what trials need until hand() gives it its job."""
    import subprocess

    # not `-m lrnn.tune.worker`: the package imports this module before runpy runs it as
    # __main__, and Python warns about that on every worker's stderr
    return subprocess.Popen([sys.executable, "-c", WORKER_MAIN, str(worker)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            start_new_session=True, text=True)


def hand(process, job: Job | None) -> None:
    """Give a started worker its job, or with None let it end."""
    try:
        if job is not None:
            process.stdin.write(job.to_json())
        process.stdin.close()
    except BrokenPipeError:  # it ended while starting: the other workers run its trials
        pass


def spawn(job: Job, worker: int) -> Any:
    process = start(worker)
    hand(process, job)
    return process


class EarlyWorkers:
    """Worker processes started before the command reads its data, so that their own start
    (Python, torch, Optuna: ~1.5 s of a core) passes beside the command's instead of after
    it (wine's MLP study: the second worker's first trial began 1.9 s after the first's).
    `take(n)` hands out up to n of them; the rest end at release() or when the block does."""

    def __init__(self, count: int):
        self._idle = [start(worker) for worker in range(1, count + 1)]
        self._released: list = []

    def take(self, n: int) -> list:
        taken, self._idle = self._idle[:n], self._idle[n:]
        return taken

    def __enter__(self) -> "EarlyWorkers":
        return self

    def release(self) -> None:
        """Let the ones not taken end."""
        for process in self.take(len(self._idle)):
            hand(process, None)
            self._released.append(process)

    def __exit__(self, *exc) -> None:
        self.release()
        for process in self._released:  # reaped if it has ended (it has, after a study)
            process.poll()


if __name__ == "__main__":
    sys.exit(main())
