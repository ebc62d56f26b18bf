"""Where a study lives, and opening it: a journal file in --out by default (processes on one
machine), or a PostgreSQL / MySQL database (`--storage URL`, workers on many machines, dead
ones found by Optuna's heartbeat). SQLite is refused: under several writers it locks.

A study remembers what it searches (space and fixed settings), on which data (the settings
and a fingerprint of the prepared rows) and for which metric, as user attributes; joining it
with anything else is refused before a trial runs.
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._lrnn import InputError

JOURNAL = "study.journal"
HEARTBEAT_S = 10  # a worker writes a heartbeat this often while its trial runs
GRACE_S = 30  # a running trial without a heartbeat for this long is failed, and retried
MAX_RETRY = 3  # a trial whose worker died is run again at most this many times
CONNECT_TIMEOUT_S = 10
IDENTITY = ("lrnn_metric", "lrnn_space", "lrnn_data")
# scheme -> (driver module, its pip package); plain schemes take whichever driver is installed
DRIVERS = {"postgresql": ("psycopg2", "psycopg2-binary"),
           "postgresql+psycopg2": ("psycopg2", "psycopg2-binary"),
           "postgresql+psycopg": ("psycopg", "psycopg[binary]"),
           "mysql": ("pymysql", "pymysql"), "mysql+pymysql": ("pymysql", "pymysql"),
           "mysql+mysqldb": ("MySQLdb", "mysqlclient")}


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", url)


def check_url(url: str) -> str:
    """The URL to open: a plain postgresql:// or mysql:// names the driver that is installed
    (SQLAlchemy 2.1 takes psycopg 3 for postgresql://, 2.0 psycopg2)."""
    import importlib.util

    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    scheme = scheme.lower()
    if scheme.startswith("sqlite"):
        raise InputError(f"--storage {shown(url)}: SQLite locks when several workers write; "
                         f"use the journal file in --out (the default) or postgresql://...")
    if scheme not in DRIVERS:
        raise InputError(f"--storage {shown(url)}: expected postgresql://USER:PASSWORD@HOST/DB "
                         f"or mysql+pymysql://..., found scheme '{scheme or url}'")
    installed = [s for s, (module, _) in DRIVERS.items() if s.split("+")[0] == scheme and
                 "+" in s and importlib.util.find_spec(module) is not None]
    if "+" not in scheme and installed:
        return f"{installed[0]}://{rest}"
    module, package = DRIVERS[scheme]
    if importlib.util.find_spec(module) is None:
        raise InputError(f"--storage {shown(url)}: needs the {module} driver: pip install "
                         f"'{package}'")
    return url


def open_storage(url: str | None, out: Path):
    """The study's storage; a database that cannot be reached is one line, exit 2."""
    import inspect
    import warnings

    import optuna
    from optuna.storages.journal import JournalFileBackend

    if url is None:
        return optuna.storages.JournalStorage(JournalFileBackend(str(out / JOURNAL)))
    opened = check_url(url)
    # Optuna 4.9 renamed the callback argument; either name, whichever this Optuna has
    takes = inspect.signature(optuna.storages.RDBStorage).parameters
    retry = "heartbeat_stale_trial_callback" if "heartbeat_stale_trial_callback" in takes \
        else "failed_trial_callback"
    for attempt in range(3):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Optuna's ExperimentalWarning (heartbeat)
                return optuna.storages.RDBStorage(
                    opened, engine_kwargs={"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S},
                                           "pool_pre_ping": True},
                    heartbeat_interval=HEARTBEAT_S, grace_period=GRACE_S,
                    **{retry: retry_callback()})
        except Exception as exc:  # sqlalchemy's errors, a bad URL, a refused connection
            # two workers creating Optuna's tables in a new database at once: one of them
            # sees a duplicate; the tables exist on its next try
            if attempt < 2 and exc.__class__.__name__ in ("IntegrityError", "ProgrammingError"):
                time.sleep(0.5 + attempt)
                continue
            reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else \
                exc.__class__.__name__
            raise InputError(f"--storage {shown(url)}: cannot open the database ({reason})") \
                from None


def retry_callback():
    """Optuna's callback that enqueues a failed trial again with the same parameters."""
    import warnings

    import optuna.storages as storages

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # experimental (new name) or deprecated (old name)
        kind = getattr(storages, "RetryHeartbeatStaleTrialCallback", None) or \
            storages.RetryFailedTrialCallback
        return kind(max_retry=MAX_RETRY)


def direction_of(metric: str) -> str:
    return "minimize" if metric == "val_loss" else "maximize"


def open_study(storage, name: str, identity: dict[str, Any], sampler=None, pruner=None):
    """(The study `name`, whether this call created it); an existing one must search the same
    space on the same data for the same metric."""
    import optuna

    created = False
    try:  # loading first: a refused join must leave the journal as it was
        study = optuna.load_study(study_name=name, storage=storage, sampler=sampler,
                                  pruner=pruner)
    except KeyError:
        try:
            study = optuna.create_study(storage=storage, study_name=name,
                                        direction=direction_of(identity["lrnn_metric"]),
                                        sampler=sampler, pruner=pruner)
            created = True
        except optuna.exceptions.DuplicatedStudyError:  # another worker was first
            study = optuna.load_study(study_name=name, storage=storage, sampler=sampler,
                                      pruner=pruner)
    saved = study.user_attrs
    if not any(key in saved for key in IDENTITY) and study.trials:
        raise InputError(f"--study {name}: exists and was not made by lrnn tune; choose "
                         f"another --study")
    for key in IDENTITY:
        if key not in saved:
            study.set_user_attr(key, identity[key])
        elif saved[key] != identity[key]:
            raise InputError(f"--study {name}: exists with "
                             f"{_difference(key, saved[key], identity[key])}; choose another "
                             f"--study or --out, or repeat its settings")
    return study, created


def _difference(key: str, saved: Any, given: Any) -> str:
    what = {"lrnn_metric": "another metric", "lrnn_space": "another search space",
            "lrnn_data": "other data"}[key]
    if isinstance(saved, dict) and isinstance(given, dict):
        for name in list(given) + [k for k in saved if k not in given]:
            if saved.get(name) != given.get(name):
                return (f"{what} ({name}: {_short(saved.get(name))} there, "
                        f"{_short(given.get(name))} here)")
    return f"{what} ({_short(saved)} there, {_short(given)} here)"


def _short(value: Any) -> str:
    text = "unset" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def load_study(storage, name: str, sampler, pruner):
    import optuna

    return optuna.load_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner)


def make_sampler(kind: str, seed: int, n_startup: int):
    import optuna

    if kind == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup)


def make_pruner(kind: str):
    """Trials report at every 5 % of their planned epochs (steps 5..100): pruning waits for
    5 finished trials and, within a trial, for 40 % of its training. Earlier, a one-cycle
    schedule is near its peak rate, and its noisy scores pruned the long trials that go on
    to win (on MNIST)."""
    import optuna

    if kind == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=40)
    if kind == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=40, reduction_factor=2)
    return optuna.pruners.NopPruner()


def quiet_optuna() -> None:
    """lrnn tune says what happened itself; Optuna's own log lines would repeat it."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)


# --- trials left running by a worker that died (killed, out of memory, a crashed machine) ---
# Each trial records the worker running it: host, process id and the process's start time (so
# that a reused process id is not taken for the old worker). Before asking for a trial, a worker
# fails the running trials of this host whose worker is gone, and enqueues each again with the
# same settings (Optuna's RetryFailedTrialCallback), so no trial is lost. A lock file in --out
# keeps two workers from retrying the same trial twice. Databases add Optuna's heartbeat for
# workers on other machines.

WORKER = "lrnn_worker"
LOCK = ".tune.lock"
UNMARKED_GRACE_S = 120  # a running trial that never recorded its worker (it died at once)


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot, or None if unknown."""
    fields = _stat(pid)
    return fields[19] if fields and len(fields) > 19 else None


def this_worker() -> dict:
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "start": process_start(pid)}


def is_alive(worker: dict) -> bool:
    pid = worker.get("pid")
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    fields = _stat(pid)
    if fields is None:
        return True  # no /proc: the process exists, which is all that can be known
    # a zombie has died (its parent, maybe this very command, has not reaped it yet)
    start = worker.get("start")
    return fields[0] != "Z" and (start is None or fields[19] == start)


@contextmanager
def locked(out: Path, name: str = LOCK):
    fd = os.open(out / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def fail_dead_trials(study, out: Path) -> list[int]:
    """Fail and enqueue again the running trials whose worker on this host is gone (and, in a
    database, those of any host whose heartbeat stopped); returns their numbers."""
    import warnings

    import optuna
    from optuna.trial import TrialState

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ExperimentalWarning
        optuna.storages.fail_stale_trials(study)  # no-op for a journal file

    host, now, failed = socket.gethostname(), time.time(), []
    retry = retry_callback()
    with locked(out):
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            worker = trial.user_attrs.get(WORKER)
            if worker is None:
                started = trial.datetime_start.timestamp() if trial.datetime_start else now
                if now - started < UNMARKED_GRACE_S:
                    continue
            elif worker.get("host") != host or is_alive(worker):
                continue
            try:
                study.tell(trial.number, state=TrialState.FAIL)
            except (ValueError, optuna.exceptions.UpdateFinishedTrialError):
                continue  # finished meanwhile (its last write, or another host's heartbeat)
            retry(study, trial)
            failed.append(trial.number)
    return failed
