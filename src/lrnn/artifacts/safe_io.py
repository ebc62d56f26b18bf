"""Opening a file lrnn reads, whoever named it: a regular file only (a FIFO, a device, a
socket or a directory is refused with one line, and nothing blocks: the file is opened
non-blocking and checked with fstat before anything is read), read up to a size bound, with a
name that is valid text. Files of a run folder are opened without following links
(O_NOFOLLOW), and a run folder whose own entries are links is refused, so a planted link can
neither leak a file into a report nor make lrnn write outside the run.

Every reader of lrnn goes through `open_regular` or `read_regular`; `error` is the class of
the failure (InputError for what the user gave, ArtifactError for a run's own files)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import ArtifactError, InputError, LrnnError

KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a directory"}


def shown(path) -> str:
    """A path as text for a message, whatever bytes its name holds."""
    return os.fsencode(os.fspath(path)).decode("utf-8", "backslashreplace")


def check_text_name(path, what: str = "", error: type[LrnnError] = InputError) -> None:
    """Refuse a path whose name is not valid UTF-8: it could not be written into model.json,
    config.toml, a report or a message."""
    try:
        os.fspath(path).encode("utf-8")
    except UnicodeEncodeError:
        label = f"{what} " if what else ""
        raise error(f"{label}{shown(path)}: the name is not valid UTF-8 text; rename it "
                    f"(lrnn writes paths into its files and messages)") from None


def _open_error(path, exc: OSError, what: str, error, nofollow: bool) -> LrnnError:
    where = f"{shown(path)}"
    if exc.errno == errno.ENOENT and error is ArtifactError:
        return error(f"{where}: missing ({what}); is {shown(Path(path).parent)} a run "
                     f"directory?")
    if exc.errno == errno.ENOENT:
        return error(f"{where}: file not found")
    if exc.errno == errno.ELOOP:
        if nofollow:
            return error(f"{where}: is a symbolic link; lrnn does not follow links inside a run "
                         f"folder (replace it with the file itself)")
        return error(f"{where}: a loop of symbolic links; expected {what or 'a file'}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return error(f"{where}: no permission to read")
    if exc.errno == errno.ENOTDIR:
        return error(f"{where}: a part of the path is not a directory")
    return error(f"{where}: cannot open ({exc.strerror or exc})")


def open_regular(path, what: str = "a file", *, error: type[LrnnError] = InputError,
                 nofollow: bool = False, limit: int | None = None) -> BinaryIO:
    """`path` opened for reading as a binary file object, once it is known to be a regular
    file (of at most `limit` bytes). The caller closes it."""
    check_text_name(path, error=error)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (os.O_NOFOLLOW if nofollow else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _open_error(path, exc, what, error, nofollow) from None
    try:
        info = os.fstat(fd)
        kind = stat.S_IFMT(info.st_mode)
        if kind != stat.S_IFREG:
            raise error(f"{shown(path)}: expected {what}, found "
                        f"{KINDS.get(kind, 'something that is not a regular file')}")
        if limit is not None and info.st_size > limit:
            raise error(f"{shown(path)}: {info.st_size:,} bytes, more than the {limit:,} "
                        f"expected of {what}")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path, what: str = "a file", *, error: type[LrnnError] = InputError,
                 nofollow: bool = False, limit: int | None = None) -> bytes:
    """The whole content of a regular file of at most `limit` bytes (a file that grows while
    it is read is cut at the bound and refused)."""
    with open_regular(path, what, error=error, nofollow=nofollow, limit=limit) as f:
        try:
            data = f.read(limit + 1) if limit is not None else f.read()
        except OSError as exc:
            raise error(f"{shown(path)}: cannot read ({exc.strerror or exc})") from None
    if limit is not None and len(data) > limit:
        raise error(f"{shown(path)}: more than the {limit:,} bytes expected of {what}")
    return data


def refuse_link(path: Path, error: type[LrnnError] = ArtifactError) -> None:
    """An entry of a run folder that is a symbolic link is refused (a missing one is fine)."""
    if os.path.islink(path):
        raise error(f"{shown(path)}: is a symbolic link; lrnn does not follow links inside a "
                    f"run folder (replace it with the file itself)")


def refuse_linked_entries(folder: Path, names, error: type[LrnnError] = ArtifactError) -> None:
    """The entries `names` of a run folder, and the entries of those that are folders, must
    not be links."""
    for name in names:
        path = Path(folder) / name
        refuse_link(path, error)
        if path.is_dir():
            for inner in path.iterdir():
                refuse_link(inner, error)
