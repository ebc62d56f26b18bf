"""Writing and reading the files of a run safely. Every file is written to a temporary name in
its folder, flushed to disk and renamed into place, so that a path always holds nothing, the
old file or the complete new one (run_dir.py publishes a whole run the same way). A write the
disk refuses (full, read-only, no permission) is one StorageError, whichever command wrote;
reads go through safe_io.py."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any, BinaryIO, Callable

from ..errors import ArtifactError, InputError, StorageError
from .safe_io import check_text_name, read_regular, refuse_linked_entries, shown

# What lrnn itself keeps in a run folder besides the published files (run_dir.py): the lock
# and the checkpoints. A run folder's entries with these names must not be links.
LOCK = ".lock"
CHECKPOINTS = "checkpoints"
PUBLISHED = ("model.safetensors", "model.json", "config.toml", "metrics.json", "history.csv",
             "evals.csv", "predictions.csv", "report.html", "plots", "tensorboard")
RUN_ENTRIES = (LOCK, CHECKPOINTS) + PUBLISHED


def storage_error(path: Path, exc: OSError) -> StorageError:
    """A write that the disk refused, as one line."""
    what = {errno.ENOSPC: "no space left on the device", errno.EFBIG: "file too large for the "
            "disk or its limits", errno.EDQUOT: "disk quota exceeded",
            errno.EACCES: "no permission", errno.EPERM: "no permission",
            errno.EROFS: "read-only file system"}
    reason = what.get(exc.errno, exc.strerror or str(exc))
    return StorageError(f"{shown(path)}: cannot write ({reason}); nothing was published there")


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
    try:
        fd, tmp = _new_private_file(path)
    except OSError as exc:
        raise storage_error(path, exc) from None
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
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise storage_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | \
    getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _new_private_file(path: Path) -> tuple[int, str]:
    """A new file beside `path`, mode 0600, open for writing, under a random name: what
    tempfile.mkstemp does (O_EXCL, another name on a clash), without importing tempfile, which
    brings shutil, random, bz2 and lzma (~4 ms of a ~0.17 s `lrnn predict`)."""
    for _ in range(100):
        tmp = os.path.join(path.parent, f".{path.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp, _CREATE_NEW, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name", str(path.parent))


def write_json(path: Path, obj: Any) -> None:
    write_atomic(path, json.dumps(obj, indent=2, allow_nan=False) + "\n")


def is_new_folder(path: Path) -> bool:
    """Absent, or an empty folder: where a new run may be written."""
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def require_run_dir(path: Path, what: str = "") -> Path:
    """`path` as a run directory (itself possibly a link), whose own entries are no links;
    otherwise an ArtifactError saying what is there instead."""
    path = Path(path)
    label = f"{what} " if what else ""
    check_text_name(path, what, ArtifactError)
    if not path.is_dir():
        found = "a file" if path.exists() else "nothing"
        raise ArtifactError(f"{label}{shown(path)}: expected a run directory, found {found}")
    refuse_linked_entries(path, RUN_ENTRIES)
    return path


def read_bytes(path: Path, what: str, limit: int | None = None) -> bytes:
    """A file of a run directory, whole, never through a link; missing, unreadable, not a
    regular file, larger than `limit` or empty is an ArtifactError."""
    data = read_regular(path, what, error=ArtifactError, nofollow=True, limit=limit)
    if not data:
        raise ArtifactError(f"{shown(path)}: empty file, expected {what}")
    return data


def is_run_dir(folder: Path) -> bool:
    """A folder lrnn wrote a run into: a model (model.json and its weights), a run being
    written (its lock) or a run with lrnn's checkpoints."""
    return ((folder / "model.json").is_file() and (folder / "model.safetensors").exists()) \
        or (folder / LOCK).exists() or any((folder / CHECKPOINTS).glob("ckpt-*.safetensors"))


def inside_run_dir(path: Path) -> Path | None:
    """The run folder that `path` would be written into (its folder, or the folder above for
    plots/, checkpoints/ and tensorboard/), if any."""
    folder = Path(os.path.realpath(path)).parent
    if is_run_dir(folder):
        return folder
    if folder.name in (CHECKPOINTS, "plots", "tensorboard") and is_run_dir(folder.parent):
        return folder.parent
    return None


def check_output_file(output: Path, inputs: list, force: bool, kind: str = "CSV") -> None:
    """An output file that a command may write: not one of its inputs, not a folder, new
    unless `force`, in a folder that exists."""
    output = Path(output)
    check_text_name(output, "-o")
    real = os.path.realpath  # unlike Path.resolve, never raises on a loop of links
    if any(real(output) == real(p) for p in inputs):
        raise InputError(f"-o {output}: is also an input; choose another output file")
    run = inside_run_dir(output)
    if run is not None:
        raise InputError(f"-o {output}: is inside the run folder {run}; lrnn never writes "
                         f"over a run's files: choose a file outside it")
    if output.is_dir():
        raise InputError(f"-o {output}: is a directory; expected a {kind} file name")
    if output.exists() and not force:
        raise InputError(f"-o {output}: already exists; pass --force to overwrite")
    if not output.parent.is_dir():
        raise InputError(f"-o {output}: folder {output.parent} does not exist")
