"""A run directory while a run writes it: created only after every input check, locked so that
a second run cannot write into it, holding the checkpoints, and receiving the final artifact
all at once.

Publishing: the new files are written into a hidden folder inside the run directory; then
model.json is removed (the old artifact is unpublished only once the new one fully exists),
the new files are moved into place, and model.json comes last. A run directory is a complete
artifact exactly when it has model.json.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import InputError
from .files import (CHECKPOINTS, LOCK, PUBLISHED, is_new_folder, require_run_dir,
                    storage_error, umask_mode)
from .model_json import MODEL_JSON
from .safe_io import refuse_link, shown

STAGE_PREFIX = ".publish-"


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
        made = _make_dirs(path)
        return cls._locked(path, made)

    @classmethod
    def claim(cls, base: Path) -> "RunDir":
        """A new run directory named `base`, else `base-2`, `base-3`, ...: the first that this
        process creates itself (mkdir is the claim, so two runs started in the same second get
        two folders)."""
        made = _make_dirs(base.parent)
        for n in itertools.count(1):
            path = base if n == 1 else base.with_name(f"{base.name}-{n}")
            try:
                os.mkdir(path)
            except FileExistsError:
                continue
            except OSError as exc:
                _remove_made(made)
                raise storage_error(path, exc) from None
            return cls._locked(path, made + [path])
        raise AssertionError("unreachable")

    @classmethod
    def _locked(cls, path: Path, made: list[Path]) -> "RunDir":
        try:
            return cls(path, _lock(path), created=True)
        except BaseException:
            _remove_made(made)
            raise

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
        """Write the artifact with `write_files(folder)` and move it into the run directory.
        Only the names lrnn publishes are replaced: a user's own files in the folder stay."""
        try:
            stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=self.path))
            stage.chmod(umask_mode(0o777))
        except OSError as exc:
            raise storage_error(self.path, exc) from None
        try:
            write_files(stage)
            new = {p.name for p in stage.iterdir()}
            (self.path / MODEL_JSON).unlink(missing_ok=True)
            for name in sorted(set(PUBLISHED) | new):
                _remove(self.path / name)
            for old in self.path.glob(f"{STAGE_PREFIX}*"):  # left by a killed process
                if old != stage:
                    _remove(old)
            for name in sorted(new, key=lambda n: n == MODEL_JSON):
                os.replace(stage / name, self.path / name)
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


def _make_dirs(path: Path) -> list[Path]:
    """mkdir -p `path`; the folders it created, outermost first."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.insert(0, folder)
    for i, folder in enumerate(missing):
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            _remove_made(missing[:i])
            raise storage_error(folder, exc) from None
    return missing


def _remove_made(made: list[Path]) -> None:
    """Remove folders that this process created, innermost first, while they are empty."""
    for folder in reversed(made):
        try:
            os.rmdir(folder)
        except OSError:
            return


def _lock(path: Path) -> int:
    """Hold the run folder's lock (its .lock file, never through a link), holding this
    process's id; a write the disk refuses is a StorageError and leaves no lock behind."""
    lock = path / LOCK
    refuse_link(lock, InputError)
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     0o644)
    except OSError as exc:
        raise storage_error(lock, exc) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{shown(lock)}: expected lrnn's lock file, found something that "
                             f"is not a regular file")
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise InputError(f"{path}: another lrnn run (pid {holder}) is writing this folder; "
                         f"choose another --out") from None
    except BaseException:
        os.close(fd)
        raise
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError as exc:
        os.close(fd)
        lock.unlink(missing_ok=True)
        raise storage_error(lock, exc) from None
    return fd


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
