"""Shared fixtures: the real MNIST files, the real CLI in a subprocess, and runs trained once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte")


def _data_root() -> Path:
    root = Path(os.environ.get("LRNN_DATA_DIR", "../shared/data")).resolve()
    os.environ["LRNN_DATA_DIR"] = str(root)  # absolute: tests and subprocesses change folders
    return root


DATA_ROOT = _data_root()


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    folder = DATA_ROOT / "mnist"
    missing = [f for f in MNIST_FILES
               if not (folder / f).exists() and not (folder / f"{f}.gz").exists()]
    if missing:
        pytest.fail(f"the real MNIST files are needed in {folder} (set LRNN_DATA_DIR); "
                    f"missing {missing}")
    return folder


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's cache or the network mirrors from a test."""
    monkeypatch.setenv("LRNN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("LRNN_MIRRORS", "http://127.0.0.1:9/")  # discard port: always refused


def lrnn_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
             timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real `lrnn` command (python -m lrnn) and capture its output."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "lrnn", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too) with its sha256."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def mnist_logreg_run(readme_session) -> Path:
    """`lrnn train --dataset mnist --model logreg`, for the tests that need a run: the one the
    README's Quick start made with that command (its tutorial-settings run is the SGD one)."""
    from tests.readme_examples import run_folder

    return run_folder(readme_session[0], "mnist-logreg-*", optimizer="adam")


@pytest.fixture(scope="session")
def breast_cancer_run(tmp_path_factory) -> Path:
    """`lrnn train --dataset breast_cancer --model logreg`: the binary run, trained once."""
    out = tmp_path_factory.mktemp("runs") / "breast-cancer-logreg"
    result = lrnn_cli("train", "--dataset", "breast_cancer", "--model", "logreg", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def refused(result: subprocess.CompletedProcess, code: int, message: str) -> str:
    """The shape of every refusal (RELIABILITY.md): exit `code`, one line on stderr that holds
    `message`, no traceback. Returns the line."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == code, result.stderr
    assert len(lines) == 1 and message in lines[0], result.stderr
    return lines[0]


TABLE_CSV = "id,size,colour,y\n" + "".join(
    f"{i},{(i * 37 % 50) / 10:.1f},{('red', 'blue', 'green')[i % 3]},{'ab'[(i * 37 % 50) > 24]}\n"
    for i in range(60))


@pytest.fixture(scope="session")
def table_run(tmp_path_factory) -> Path:
    """A logistic regression on a tiny CSV (60 rows: an id, a number, a category, a two-class
    target), trained once: the run that the artifact and input tests copy and damage. Its
    training file is `table_run.parent / "table.csv"`."""
    folder = tmp_path_factory.mktemp("table-run")
    (folder / "table.csv").write_text(TABLE_CSV)
    out = folder / "run"
    result = lrnn_cli("train", "--data", str(folder / "table.csv"), "--target", "y",
                      "--id-column", "id", "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def readme_session(tmp_path_factory, mnist_dir):
    """The README's examples, run once as written (tests/readme_examples.py): (the folder they
    ran in, each example with its outcome)."""
    from tests.readme_examples import run_examples

    folder = tmp_path_factory.mktemp("readme")
    return folder, run_examples(folder)
