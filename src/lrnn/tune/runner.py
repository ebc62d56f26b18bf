"""`lrnn tune`: every input checked, the study opened (or joined), the workers run, and the
results written: DIR/best/ (a complete run), DIR/trials.csv, DIR/study.html.

Inputs are checked in the order that fails fastest (optuna present, the space file, the
storage URL, the settings, the data), and all of them before a trial runs or DIR is created.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import results
from ._lrnn import (BUILTIN_DATASETS, InputError, LrnnError, build_config, prepare_data,
                    resolve, usable_cores, write_atomic)
from .default_spaces import as_toml, default_space
from .space import NOT_SEARCHED, Space, read_space
from .study import JOURNAL, open_storage, open_study, quiet_optuna
from .trial_progress import TrialProgress
from .objective import study_folds
from .worker import (EarlyWorkers, Job, Signals, TrialThread, auto_workers, hand, spawn,
                     trials_needed, trials_use_lbfgs, wait)

SPACE_FILE = "space.toml"  # the space a study searches, written into DIR (and its marker)
DEFAULT_TRIALS = 30
# Larger data files are not taken for small data before they are read (no early workers
# without --workers): 20,000 rows of a few dozen numbers are about this much.
EARLY_FILE_BYTES = 8 << 20


@dataclass(frozen=True)
class Options:
    trials: int | None
    timeout: float | None
    space: str | None
    metric: str
    sampler: str
    pruner: str
    out: str | None
    workers: int | None  # None: auto_workers
    storage: str | None
    study: str | None
    refit: bool = True  # best/ on the training + validation rows


class Stopped(LrnnError):
    """Ctrl-C or SIGTERM: the study is kept; the same command continues it."""

    def __init__(self, signum: int, message: str):
        super().__init__(message)
        self.exit_code = 128 + signum


def warn(message: str) -> None:
    print(f"lrnn tune: warning: {message}", file=sys.stderr)


def require_optuna() -> None:
    import importlib.util

    if importlib.util.find_spec("optuna") is None:
        raise InputError("needs the tune extra: pip install 'lrnn[tune]'")


def tune(values: dict[str, Any], options: Options) -> int:
    require_optuna()
    if options.timeout is not None and not 0 < options.timeout < float("inf"):
        raise InputError(f"--timeout: expected seconds > 0, found {options.timeout:g}")
    space_file = read_space(options.space) if options.space else None
    storage = open_storage(options.storage, Path(".")) if options.storage else None
    base_values = {k: v for k, v in values.items() if k != "out"}
    base = build_config(base_values)
    if base.val_fraction == 0:
        raise InputError("--val-fraction 0: lrnn tune chooses on the validation split; give "
                         "a share > 0")
    out = Path(options.out or Path("runs") / f"tune-{base.source_name}-{base.model}")
    _check_out(out)
    trials = options.trials or (None if options.timeout else DEFAULT_TRIALS)
    with EarlyWorkers(_early_workers(options, trials, base, base_values, space_file)) as early:
        return _search(base, base_values, space_file, storage, out, options, trials, early)


def _search(base, base_values: dict, space_file: Space | None, storage, out: Path,
            options: Options, trials: int | None, early: EarlyWorkers) -> int:
    """The data read, the study opened (or joined), its trials run, and the results."""
    prepared, device = prepare_data(base)
    _check_metric(options.metric, prepared)
    space = _space(space_file, options.space, base, base_values, len(prepared.train))
    from ._lrnn import data_fingerprint, study_figure_worker

    folds = study_folds(space, base_values, prepared)
    identity = _identity(options.metric, space, base, prepared, data_fingerprint(prepared),
                         folds)
    out.mkdir(parents=True, exist_ok=True)
    if storage is None:
        storage = open_storage(None, out)
    name = options.study or f"{base.source_name}-{base.model}"
    quiet_optuna()
    study, created = open_study(storage, name, identity)
    if created:  # by one worker only: two would run it twice
        _enqueue_defaults(study, space, resolve(base, len(prepared.train)))
    write_atomic(out / SPACE_FILE, as_toml(space))
    workers = options.workers or auto_workers(
        len(prepared.train), trials_needed(study, trials),
        trials_use_lbfgs(space, base_values, len(prepared.train)))
    job = Job(_json_ready(base_values), space.to_json(), str(out), options.storage, name,
              trials, _deadline(options.timeout), options.metric, options.sampler,
              options.pruner, base.seed, max(1, usable_cores() // workers), folds)
    with study_figure_worker():  # handed study.html's figures after the trials
        signum = _run_workers(job, workers, study, prepared, device, early)
        if signum:
            results.write_trials_csv(study, space, out)
            done = results.finished_count(study)
            raise Stopped(signum, f"interrupted: {done} trials finished, the study is kept in "
                                  f"{out}; run the same command again to continue")
        return results.finish(study, space, base_values, options.metric, out, prepared,
                              options.refit)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: is a file; expected a folder for the study")
    if out.is_dir() and any(out.iterdir()) and not (out / SPACE_FILE).exists() \
            and not (out / JOURNAL).exists():
        raise InputError(f"--out {out}: holds files that are not a study's; choose another "
                         f"--out")


def _check_metric(metric: str, prepared) -> None:
    if metric != "roc_auc":
        return
    import numpy as np

    present = set(np.unique(prepared.val.y.cpu().numpy()).tolist())
    missing = [c for k, c in enumerate(prepared.dataset.classes) if k not in present]
    if missing:
        raise InputError(f"--metric roc_auc: the validation split has no row of class "
                         f"{missing[0]!r}; raise --val-fraction or choose another --metric")


def _space(space_file: Space | None, path: str | None, base, base_values: dict,
           n_train: int) -> Space:
    """The space to search, with the settings given as flags fixed."""
    given = [name for name in base_values if name in ("C", "alpha") or
             name in _searchable_names()]
    if space_file is not None:
        clash = [name for name in given if name in space_file.names or
                 (name in ("C", "alpha") and {"C", "alpha"} & set(space_file.names))]
        if clash:
            raise InputError(f"--{clash[0].replace('_', '-')}: is also searched in --space "
                             f"{path}; give it in one place")
        space = space_file
    else:
        space = default_space(base, n_train).without(given)
    if not space.searched:
        raise InputError("every setting of the default search space is given as a flag: "
                         "nothing left to search (see --space)")
    build_config({**base_values, **space.sample(_FirstPoint())})  # combinations, up front
    return space


def _searchable_names() -> set[str]:
    from ._lrnn import SETTINGS

    return {name for name, f in SETTINGS.items() if f.metadata["group"] in ("model", "training")}


class _FirstPoint:
    """Stands for an Optuna trial: the lowest value of each range, the first choice."""

    def suggest_float(self, name, low, high, step=None, log=False):
        return low

    def suggest_int(self, name, low, high, step=1, log=False):
        return low

    def suggest_categorical(self, name, choices):
        return choices[0]


def _identity(metric: str, space: Space, base, prepared, fingerprint: str, folds: int) -> dict:
    settings = {k: v for k, v in base.to_dict().items()
                if k in _searchable_names() and k not in NOT_SEARCHED}
    data = {"source": base.source_name, "seed": base.seed, "val_fraction": base.val_fraction,
            "test_fraction": base.test_fraction,
            "rows": [len(prepared.train), len(prepared.val), len(prepared.test)],
            "fingerprint": fingerprint}
    if folds:  # the rows that score its trials: a study made before they were cross-validated
        data["cross_validation_folds"] = folds  # is continued only as it began
    return _json_ready({"lrnn_metric": metric, "lrnn_data": data,
                        "lrnn_space": {"space": space.to_json(), "settings": settings}})


def _json_ready(value):
    return json.loads(json.dumps(value, default=list))


def _deadline(timeout: float | None) -> float | None:
    import time

    return time.time() + timeout if timeout else None


def _enqueue_defaults(study, space: Space, resolved) -> None:
    """The first trial is lrnn train's own choice, where it lies in the space: a baseline
    that the search starts from and must beat."""
    params = results.default_params(space, resolved)
    if params:
        study.enqueue_trial(params)


def _early_workers(options: Options, trials: int | None, base, base_values: dict,
                   space_file: Space | None) -> int:
    """Worker processes worth starting before the data is read: those --workers asks for
    beyond this one; without it, those auto_workers would choose if the data is small (a
    scikit-learn dataset, a file of at most EARLY_FILE_BYTES), else none."""
    if options.workers is not None:
        return options.workers - 1
    if base.data is None and base.dataset not in BUILTIN_DATASETS:
        return 0
    try:
        if base.data is not None and os.stat(base.data).st_size > EARLY_FILE_BYTES:
            return 0
    except (OSError, ValueError):  # reading it will say what is wrong
        return 0
    try:  # a guess for a split of few rows: the command's own checks come later
        lbfgs = trials_use_lbfgs(space_file or default_space(base, 1), base_values, 1)
    except InputError:
        return 0
    return auto_workers(1, trials, lbfgs) - 1


def _run_workers(job: Job, workers: int, study, prepared, device,
                 early: EarlyWorkers) -> int | None:
    """This process's trials on a thread, and `workers - 1` more processes (those started
    early first); returns the signal that stopped them, if one did."""
    children: list = []

    def forward(signum: int) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM if signum == signal.SIGTERM else signal.SIGINT)

    signals = Signals(forward)
    signals.install()
    progress = TrialProgress(study, job.trials)
    finished = False
    try:
        for process in early.take(workers - 1):
            hand(process, job)
            children.append(process)
        early.release()
        children.extend(spawn(job, w) for w in range(len(children) + 1, workers))
        thread = TrialThread(job, prepared, device, signals, 0, warn)
        thread.start()
        wait(thread, progress.update)
        for child in children:
            _wait_child(child, progress)
        finished = True
    finally:
        if not finished:  # this process failed: the others stop at their next epoch end
            forward(signal.SIGTERM)
            for child in children:
                child.wait()
        progress.close()
        signals.restore()
    return signals.signum


def _wait_child(child, progress: TrialProgress) -> None:
    import subprocess

    while True:
        try:
            child.wait(timeout=0.5)
            break
        except subprocess.TimeoutExpired:  # keep the bar moving
            progress.update()
    progress.update()
    if child.returncode not in (0, 130, 143):
        warn(f"worker process {child.pid} ended with exit code {child.returncode}; its "
             f"trial, if any, is run again")
