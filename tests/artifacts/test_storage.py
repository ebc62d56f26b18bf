"""Every write lrnn makes goes through one storage-error path (artifacts/files.py write_atomic,
run_dir.py): a disk that refuses a write is exit 2 and one line naming the file, whichever
command wrote, and leaves nothing half-written or temporary behind.

A full disk is a file-size limit (RLIMIT_FSIZE, as `ulimit -f`: each write past it fails with
EFBIG). A folder the user cannot write is a folder of mode 0555 and a command run without the
capabilities that let root write anywhere (setpriv drops CAP_DAC_OVERRIDE; the tests run as
root here and in CI, where chmod alone stops nothing)."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import refused, snapshot

AS_A_USER = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
             "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []


def full_disk(limit_bytes: int = 0):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))
    return apply


def lrnn(*args: str, preexec=None, prefix=()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "lrnn", *args], capture_output=True,
                          text=True, timeout=600, preexec_fn=preexec)


@pytest.fixture
def run(table_run, tmp_path) -> Path:
    dst = tmp_path / "run"
    shutil.copytree(table_run, dst)
    return dst


def commands(run: Path, data: Path, tmp_path: Path) -> dict[str, list[str]]:
    return {"predict": ["predict", str(run), str(data), "-o", str(tmp_path / "p.csv")],
            "evaluate -o": ["evaluate", str(run), "-o", str(tmp_path / "m.json")],
            "report": ["report", str(run)],
            "compare": ["compare", str(run), str(run), "-o", str(tmp_path / "c.html")]}


@pytest.mark.parametrize("command", ["predict", "evaluate -o", "report", "compare"])
def test_full_disk(run, table_run, tmp_path, command):
    args = commands(run, table_run.parent / "table.csv", tmp_path)[command]
    before = snapshot(tmp_path)
    refused(lrnn(*args, preexec=full_disk()), 2,
            "cannot write (file too large for the disk or its limits)")
    assert snapshot(tmp_path) == before  # no output, no temporary file, the run unchanged


def test_full_disk_at_the_first_write_of_train(table_run, tmp_path):
    """The run folder's lock is train's first write: the folder it made is removed again."""
    before = snapshot(tmp_path)
    refused(lrnn("train", "--data", str(table_run.parent / "table.csv"), "--target", "y",
                 "--id-column", "id", "--out", str(tmp_path / "run"), preexec=full_disk()), 2,
            ".lock: cannot write (file too large")
    assert snapshot(tmp_path) == before and not (tmp_path / "run").exists()


@pytest.mark.skipif(not shutil.which("setpriv") and os.geteuid() == 0,
                    reason="needs setpriv (util-linux) to run as root without its capabilities")
@pytest.mark.parametrize("command", ["predict", "--resume", "report"])
def test_a_folder_the_user_cannot_write(run, table_run, tmp_path, command):
    data = table_run.parent / "table.csv"
    if command == "predict":
        target = tmp_path / "readonly"
        target.mkdir()
        args = ["predict", str(run), str(data), "-o", str(target / "p.csv")]
    else:
        target = run
        args = ["train", "--resume", str(run), "-q"] if command == "--resume" else \
            ["report", str(run)]
    before = snapshot(tmp_path)
    target.chmod(0o555)
    try:
        refused(lrnn(*args, prefix=AS_A_USER), 2, "cannot write (no permission)")
    finally:
        target.chmod(0o755)
    assert snapshot(tmp_path) == before
