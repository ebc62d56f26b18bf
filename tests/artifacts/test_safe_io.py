"""Inputs that are not regular files (artifacts/safe_io.py): a FIFO, a device, a directory, a
symbolic-link loop, a file larger than its bound, a name that is not UTF-8. Each is one line
and an exit code, never a hang (every command runs under a timeout) or a traceback, and
nothing is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lrnn.artifacts.safe_io import open_regular, read_regular
from lrnn.errors import ArtifactError, InputError
from tests.conftest import lrnn_cli, refused, snapshot

HANG_S = 60  # a command that blocks on a FIFO would be killed here, failing the test


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def loop(path: Path) -> Path:
    other = path.with_name(path.name + ".other")
    os.symlink(other, path)
    os.symlink(path, other)
    return path


def test_open_regular_never_blocks_on_a_fifo(tmp_path):
    """The open is non-blocking and the type checked before any read: a FIFO with no writer
    is refused at once (a plain open() would wait for a writer for ever)."""
    done = []
    path = fifo(tmp_path / "pipe")

    def attempt():
        with pytest.raises(InputError, match="found a FIFO"):
            open_regular(path, "a file")
        done.append(True)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert done == [True]


def test_read_regular_bounds_and_kinds(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(ArtifactError, match="101 bytes, more than the 100 expected"):
        read_regular(tmp_path / "big", "a file", error=ArtifactError, limit=100)
    with pytest.raises(InputError, match="found a character device"):
        read_regular(Path("/dev/zero"), "a file", limit=100)
    with pytest.raises(InputError, match="found a directory"):
        read_regular(tmp_path, "a file")
    os.symlink(tmp_path / "big", tmp_path / "link")
    with pytest.raises(ArtifactError, match="is a symbolic link"):
        read_regular(tmp_path / "link", "a file", error=ArtifactError, nofollow=True)
    assert read_regular(tmp_path / "link", "a file") == b"x" * 101  # a user's link is followed


# what takes the place of the input -> (how to make it, the message)
NOT_FILES = {
    "a FIFO": (fifo, "found a FIFO (named pipe)"),
    "/dev/zero": (lambda p: Path("/dev/zero"), "found a character device"),
    "a directory": (lambda p: (p.mkdir(), p)[1], "found a directory"),
    "a symbolic-link loop": (loop, "a loop of symbolic links"),
}


@pytest.mark.parametrize("kind", ["a FIFO", "a symbolic-link loop"])  # the reader is predict's
def test_train_data_that_is_not_a_file(tmp_path, kind):
    make, message = NOT_FILES[kind]
    path = make(tmp_path / "data.csv")
    before = snapshot(tmp_path)
    result = lrnn_cli("train", "--data", str(path), "--target", "y", "--out",
                      str(tmp_path / "run"), timeout=HANG_S)
    refused(result, 2, message)
    assert snapshot(tmp_path) == before and not (tmp_path / "run").exists()


@pytest.mark.parametrize("kind", list(NOT_FILES))
def test_predict_input_that_is_not_a_file(table_run, tmp_path, kind):
    make, message = NOT_FILES[kind]
    path = make(tmp_path / "new.csv")
    before = snapshot(tmp_path)
    result = lrnn_cli("predict", str(table_run), str(path), "-o", str(tmp_path / "p.csv"),
                      timeout=HANG_S)
    refused(result, 2, message)
    assert snapshot(tmp_path) == before


def test_image_input_that_is_a_fifo(mnist_logreg_run, tmp_path):
    path = fifo(tmp_path / "digits.npy")
    result = lrnn_cli("predict", str(mnist_logreg_run), str(path), "-o", str(tmp_path / "p.csv"),
                      timeout=HANG_S)
    refused(result, 2, "found a FIFO (named pipe)")
    assert not (tmp_path / "p.csv").exists()


CONFIGS = {
    "a FIFO": (fifo, "expected a config file (TOML), found a FIFO"),
    "/dev/zero": (lambda p: Path("/dev/zero"), "found a character device"),
    "2 MB": (lambda p: (p.write_text("# " + "x" * (2 << 20) + "\n"), p)[1],
             "more than the 1,048,576 expected"),
    "a symbolic-link loop": (loop, "a loop of symbolic links"),
}


@pytest.mark.parametrize("kind", list(CONFIGS))
def test_config_that_is_not_a_settings_file(tmp_path, kind):
    make, message = CONFIGS[kind]
    path = make(tmp_path / "c.toml")
    before = snapshot(tmp_path)
    result = lrnn_cli("train", "--config", str(path), "--out", str(tmp_path / "run"),
                      timeout=HANG_S)
    refused(result, 2, message)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["linked to /dev/zero", "a symbolic-link loop", "a FIFO"])
def test_model_json_that_is_not_a_file(table_run, tmp_path, kind):
    run = tmp_path / "run"
    shutil.copytree(table_run, run)
    (run / "model.json").unlink()
    if kind == "linked to /dev/zero":
        os.symlink("/dev/zero", run / "model.json")
    elif kind == "a FIFO":
        fifo(run / "model.json")
    else:
        loop(run / "model.json")
    message = "found a FIFO" if kind == "a FIFO" else "is a symbolic link; lrnn does not follow"
    before = snapshot(tmp_path)
    result = lrnn_cli("predict", str(run), str(table_run.parent / "table.csv"), "-o",
                      str(tmp_path / "p.csv"), timeout=HANG_S)
    refused(result, 3, message)
    assert snapshot(tmp_path) == before


def _not_utf8(folder: Path) -> bytes:
    """A file whose name is the byte 0xff: not valid UTF-8."""
    name = os.fsencode(folder) + b"/\xff.csv"
    with open(name, "w") as f:
        f.write("x,y\n1,a\n2,b\n")
    return name


@pytest.mark.parametrize("command", ["train", "predict"])
def test_a_path_that_is_not_utf8(table_run, tmp_path, command):
    name = _not_utf8(tmp_path)
    args = ([b"train", b"--data", name, b"--target", b"y", b"--out",
             os.fsencode(tmp_path / "run")] if command == "train" else
            [b"predict", os.fsencode(table_run), name, b"-o", os.fsencode(tmp_path / "p.csv")])
    before = snapshot(tmp_path)
    result = subprocess.run([os.fsencode(sys.executable), b"-m", b"lrnn", *args],
                            capture_output=True, text=True, timeout=HANG_S,
                            errors="backslashreplace")
    message = "--data: expected a text that is valid UTF-8" if command == "train" else \
        "\\xff.csv: the name is not valid UTF-8 text"
    refused(result, 2, message)
    assert snapshot(tmp_path) == before
