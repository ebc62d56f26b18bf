"""Two workers sharing a study in a real PostgreSQL database: a private cluster of Debian's
postgresql, started for the test on 127.0.0.1 and a free port, in a temporary folder.

Needs the PostgreSQL server binaries (`apt-get install postgresql`; .ci/run installs them):
skipped with the reason when they are missing, except under CI, where that is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.tune.conftest import finished, read_study, tune
from tests.tune.test_workers import DIGITS_MLP, _check_shared_study, best_line

STUDY = "digits-shared"


def _binaries() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    initdb = found[-1] if found else shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    folder = _binaries()
    if folder is None:
        message = "PostgreSQL's initdb and pg_ctl are missing (apt-get install postgresql)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # not under pytest's tmp folders: they are private to the user running pytest, and the
    # server may run as another one
    root = Path(tempfile.mkdtemp(prefix="lrnn-postgres-"))
    data, port = root / "data", _free_port()
    # the server refuses to run as root: as root, run it as Debian's postgres user
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(root, "postgres")
    run = lambda *command: subprocess.run([*as_user, *command], check=True,  # noqa: E731
                                          capture_output=True, text=True, timeout=120)
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = False
    try:
        run(f"{folder}/initdb", "-D", str(data), "-A", "trust", "-U", "lrnn", "--no-sync")
        run(f"{folder}/pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
            "start")
        started = True
        yield f"postgresql://lrnn@127.0.0.1:{port}/postgres"
    finally:
        if started:
            run(f"{folder}/pg_ctl", "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_two_workers_share_a_postgresql_study(postgres_url, tmp_path):
    import optuna

    args = [*DIGITS_MLP, "--trials", "8", "--storage", postgres_url, "--study", STUDY]
    first = subprocess.Popen([sys.executable, "-m", "lrnn", "tune", *args, "--workers", "2",
                              "--out", str(tmp_path / "a")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    second = tune(*args, "--out", str(tmp_path / "b"))  # another machine's worker, here
    stdout, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert second.returncode == 0, second.stderr
    from lrnn.tune.study import check_url  # the URL with the installed driver named

    study = read_study(None, optuna.storages.RDBStorage(check_url(postgres_url)), STUDY)
    _check_shared_study(study, 8)
    assert len({t.user_attrs["lrnn_worker"]["pid"] for t in finished(study)}) >= 2
    assert best_line(stdout) == best_line(second.stdout)
    assert not (tmp_path / "a" / "study.journal").exists()  # the study is in the database
