"""A run directory while a run writes it: created only after every input check, locked so that
a second run cannot write into it, holding the checkpoints, and receiving the final artifact
all at once.

Publishing: the new files are written into a hidden folder inside the run directory; then
model.json is removed (the old artifact is unpublished only once the new one fully exists),
the new files are moved into place, and model.json comes last. A run directory is a complete
artifact exactly when it has model.json.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import InputError, StorageError
from .files import is_new_folder, require_run_dir, umask_mode
from .model_json import MODEL_JSON

LOCK = ".lock"
CHECKPOINTS = "checkpoints"
KEEP = {LOCK, CHECKPOINTS}  # what publishing never touches


def storage_error(path: Path, exc: OSError) -> StorageError:
    """A write that the disk refused, as one line."""
    what = {errno.ENOSPC: "no space left on the device", errno.EFBIG: "file too large for the "
            "disk or its limits", errno.EDQUOT: "disk quota exceeded",
            errno.EACCES: "no permission", errno.EROFS: "read-only file system"}
    reason = what.get(exc.errno, exc.strerror or str(exc))
    return StorageError(f"{path}: cannot write ({reason}); nothing was published there")


class RunDir:
    def __init__(self, path: Path, lock_fd: int, created: bool):
        self.path, self._lock_fd, self.created = path, lock_fd, created

    @staticmethod
    def check_new(path: Path) -> None:
        """Refuse a folder that already holds files (checked before any training starts)."""
        if not is_new_folder(path):
            raise InputError(f"--out {path}: already exists and is not an empty folder; "
                             f"choose another --out, or --resume {path} to continue it")

    @classmethod
    def create(cls, path: Path) -> "RunDir":
        """A new run directory; `path` must not exist or be an empty folder."""
        cls.check_new(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(path, exc) from None
        return cls(path, _lock(path), created=True)

    @classmethod
    def open_existing(cls, path: Path) -> "RunDir":
        return cls(require_run_dir(path, "--resume"), _lock(path), created=False)

    @classmethod
    def follower(cls, path: Path) -> "RunDir":
        """Under torchrun, the view of processes other than 0: they read, never write."""
        return cls(path, -1, created=False)

    @property
    def is_writer(self) -> bool:
        return self._lock_fd >= 0

    @property
    def checkpoints(self) -> Path:
        return self.path / CHECKPOINTS

    def publish(self, write_files: Callable[[Path], None]) -> None:
        """Write the artifact with `write_files(folder)` and move it into the run directory."""
        stage = Path(tempfile.mkdtemp(prefix=".publish-", dir=self.path))
        stage.chmod(umask_mode(0o777))
        try:
            write_files(stage)
            (self.path / MODEL_JSON).unlink(missing_ok=True)
            for old in self.path.iterdir():
                if old.name not in KEEP and old != stage:
                    _remove(old)
            for new in sorted(stage.iterdir(), key=lambda p: p.name == MODEL_JSON):
                os.replace(new, self.path / new.name)
        except OSError as exc:
            raise storage_error(self.path, exc) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def close(self, completed: bool) -> None:
        """Release the lock; a run directory this run created and that holds nothing worth
        keeping (no artifact, no checkpoint) is removed."""
        if not self.is_writer:
            return
        os.close(self._lock_fd)
        (self.path / LOCK).unlink(missing_ok=True)
        has_checkpoint = self.checkpoints.is_dir() and any(self.checkpoints.iterdir())
        if self.created and not completed and not has_checkpoint:
            shutil.rmtree(self.path, ignore_errors=True)


def _lock(path: Path) -> int:
    fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise InputError(f"{path}: another lrnn run (pid {holder}) is writing this folder; "
                         f"choose another --out") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
