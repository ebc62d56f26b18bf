"""Writing and reading the files of a run safely. Every file is written to a temporary name in
its folder, flushed to disk and renamed into place, so that a path always holds nothing, the
old file or the complete new one (run_dir.py publishes a whole run the same way)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Callable

from ..errors import ArtifactError, InputError


def umask_mode(mode: int) -> int:
    """`mode` as the user's umask allows (temporary files are created private)."""
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def write_atomic(path: Path, data: bytes | str,
                 write: Callable[[BinaryIO, bytes], None] | None = None) -> None:
    """Write `data` to `path` so that `path` is always either absent, old, or complete.
    `write(file, data)` replaces the plain write (checkpoints inject test faults there)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, umask_mode(0o666))
        with os.fdopen(fd, "wb") as f:
            if write:
                write(f, data)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, obj: Any) -> None:
    write_atomic(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def is_new_folder(path: Path) -> bool:
    """Absent, or an empty folder: where a new run may be written."""
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def require_run_dir(path: Path, what: str = "") -> Path:
    """`path` as a run directory, or an ArtifactError saying what is there instead."""
    path = Path(path)
    if not path.is_dir():
        found = "a file" if path.exists() else "nothing"
        raise ArtifactError(f"{what}{' ' if what else ''}{path}: expected a run directory, "
                            f"found {found}")
    return path


def read_bytes(path: Path, what: str) -> bytes:
    """A file of a run directory, whole; missing, unreadable or empty is an ArtifactError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"{path}: missing ({what}); is {path.parent} a run "
                            f"directory?") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise ArtifactError(f"{path}: cannot read {what} ({exc.__class__.__name__})") from None
    if not data:
        raise ArtifactError(f"{path}: empty file, expected {what}")
    return data


def check_output_file(output: Path, inputs: list, force: bool, kind: str = "CSV") -> None:
    """An output file that a command may write: not one of its inputs, not a folder, new
    unless `force`, in a folder that exists."""
    output = Path(output)
    if any(output.resolve() == Path(p).resolve() for p in inputs):
        raise InputError(f"-o {output}: is also an input; choose another output file")
    if output.is_dir():
        raise InputError(f"-o {output}: is a directory; expected a {kind} file name")
    if output.exists() and not force:
        raise InputError(f"-o {output}: already exists; pass --force to overwrite")
    if not output.parent.is_dir():
        raise InputError(f"-o {output}: folder {output.parent} does not exist")
