"""Download a dataset's files into the cache from its mirrors, verifying every file.

A file reaches its published name only after its checksum matched, so the cache never holds a
partial or corrupt file. A mirror that fails (unreachable, HTTP error, bad checksum) is skipped
for the next one.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
import zlib
from pathlib import Path

from ...errors import InputError
from ...console import Console
from .registry import IdxDataset, IdxFile

CHUNK = 1 << 20
TIMEOUT_S = 30


def cache_root() -> Path:
    """$LRNN_CACHE_DIR, else ~/.cache/lrnn."""
    return Path(os.environ.get("LRNN_CACHE_DIR") or Path.home() / ".cache" / "lrnn")


def mirrors_for(spec: IdxDataset) -> list[str]:
    """Base URLs to try in order. $LRNN_MIRRORS (space- or comma-separated, `{dataset}` is
    replaced by the dataset's name) replaces the built-in list, for users behind a proxy or
    with an internal mirror."""
    custom = os.environ.get("LRNN_MIRRORS", "").replace(",", " ").split()
    bases = custom or list(spec.mirrors)
    return [b.replace("{dataset}", spec.name).rstrip("/") + "/" for b in bases]


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def is_genuine(path: Path, file: IdxFile) -> bool:
    """True when the file is the published one, or the published content recompressed."""
    with open(path, "rb") as f:
        if _sha256(f) == file.gz_sha256:
            return True
    if file.content_sha256 is None:
        return False
    try:
        with gzip.open(path, "rb") as f:
            return _sha256(f) == file.content_sha256
    except (OSError, EOFError, zlib.error):
        return False


def _fetch(url: str, target: Path, label: str) -> None:
    import urllib.request  # here: with http and ssl it is ~50 ms every `lrnn train` would pay

    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        total = response.headers.get("Content-Length")
        with open(target, "wb") as out, Console().progress(
                int(total) if total else None, label, unit="B", unit_scale=True) as bar:
            for chunk in iter(lambda: response.read(CHUNK), b""):
                out.write(chunk)
                bar.update(len(chunk))


def download_file(spec: IdxDataset, file: IdxFile, folder: Path) -> Path:
    """Fetch one file into `folder` from the first mirror that serves a genuine copy."""
    # here, not at the top: the artifacts package imports numpy, which `lrnn datasets` skips
    from ...artifacts.files import umask_mode

    folder.mkdir(parents=True, exist_ok=True)
    failures = []
    for base in mirrors_for(spec):
        url = base + file.name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".part", dir=folder)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            _fetch(url, tmp, f"{spec.name} {file.name}")
            if is_genuine(tmp, file):
                tmp.chmod(umask_mode(0o666))
                target = folder / file.name
                os.replace(tmp, target)
                return target
            failures.append(f"{url}: checksum mismatch (corrupt or altered file)")
        except (OSError, ValueError) as exc:  # urllib's URLError is an OSError
            reason = getattr(exc, "reason", None) or exc
            failures.append(f"{url}: {reason}")
        finally:
            tmp.unlink(missing_ok=True)
    raise InputError(f"{spec.name}: could not download {file.name}: " + "; ".join(failures)
                     + " (hint: put the files in a folder and pass --data-dir)")
