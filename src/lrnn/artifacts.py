"""Save and load a run's model: weights as safetensors, metadata as JSON, so loading never
executes code from a file. Every file is written to a temporary name in its folder, flushed
to disk and renamed into place (run_dir.py publishes a whole run the same way).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable

import numpy as np

from .errors import ArtifactError, InputError

FORMAT_VERSION = 1
MODEL_JSON = "model.json"
WEIGHTS = "model.safetensors"
REQUIRED_KEYS = ("format_version", "classes", "architecture", "preprocessing", "weights_sha256")


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


def check_new_run_dir(out: Path) -> None:
    """Refuse an output folder that already holds files (before any training starts)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {out}: already exists and is not an empty folder; "
                         f"choose another --out")


def save_weights(folder: Path, weights: dict) -> str:
    """Write model.safetensors from numpy arrays; return its sha256 for model.json."""
    from safetensors.numpy import save

    # safetensors writes an array's memory as it lies: a transposed view would come back
    # scrambled, so every tensor is made C-contiguous first.
    blob = save({name: np.ascontiguousarray(w) for name, w in weights.items()})
    write_atomic(folder / WEIGHTS, blob)
    return hashlib.sha256(blob).hexdigest()


@dataclass(frozen=True)
class LoadedModel:
    info: dict[str, Any]  # model.json
    weights: dict[str, Any]  # tensor name -> numpy array


def _read(path: Path, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ArtifactError(f"{path}: missing ({what}); is {path.parent} a run directory?") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise ArtifactError(f"{path}: cannot read {what} ({exc.__class__.__name__})") from None
    if not data:
        raise ArtifactError(f"{path}: empty file, expected {what}")
    return data


def read_info(run_dir: Path) -> dict[str, Any]:
    path = run_dir / MODEL_JSON
    try:
        info = json.loads(_read(path, "the model description"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(info, dict):
        raise ArtifactError(f"{path}: expected a JSON object, found {type(info).__name__}")
    missing = [k for k in REQUIRED_KEYS if k not in info]
    if missing:
        raise ArtifactError(f"{path}: missing keys {', '.join(missing)}")
    version = info["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArtifactError(f"{path}: format_version {version!r} is newer than this lrnn reads "
                            f"(up to {FORMAT_VERSION}); upgrade lrnn")
    return info


def load_run(run_dir: str | Path) -> LoadedModel:
    """model.json and the weights it names as numpy arrays; never unpickles, never imports
    torch."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ArtifactError(f"{run_dir}: expected a run directory, found "
                            f"{'a file' if run_dir.exists() else 'nothing'}")
    info = read_info(run_dir)
    blob = _read(run_dir / WEIGHTS, "the model weights")
    if hashlib.sha256(blob).hexdigest() != info["weights_sha256"]:
        raise ArtifactError(f"{run_dir / WEIGHTS}: sha256 differs from the one in model.json "
                            f"(corrupt, truncated or replaced)")
    try:
        weights = load(blob)
    except (SafetensorError, ValueError, RuntimeError, TypeError) as exc:
        raise ArtifactError(f"{run_dir / WEIGHTS}: not a readable safetensors file ({exc})") from None
    return LoadedModel(info=info, weights=weights)
