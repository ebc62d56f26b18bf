"""Checkpoints: everything needed to continue training exactly, in one safetensors file per
checkpoint (tensors, plus the rest as JSON in the file's metadata). Never a pickle.

A checkpoint reaches its name `ckpt-<step>.safetensors` only complete (temporary file, fsync,
rename); the two newest are kept, an older one deleted only after a newer exists.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import torch

from ..artifacts.files import write_atomic
from ..errors import ArtifactError
from .callbacks import faults

FORMAT_VERSION = 1
KIND = "lrnn-checkpoint"
KEEP = 2
PREFIX, SUFFIX = "ckpt-", ".safetensors"


# --- nested state <-> (flat tensors, JSON description) --------------------------------------

def flatten(value: Any, name: str, tensors: dict[str, torch.Tensor]) -> Any:
    """A JSON description of `value` whose tensors are moved into `tensors` under `name`."""
    if isinstance(value, torch.Tensor):
        tensors[name] = value.detach().cpu().contiguous()
        return {"tensor": name}
    if isinstance(value, dict):
        return {"dict": {str(k): flatten(v, f"{name}.{k}", tensors) for k, v in value.items()},
                "int_keys": all(isinstance(k, int) for k in value)}
    if isinstance(value, (list, tuple)):
        return {"list": [flatten(v, f"{name}.{i}", tensors) for i, v in enumerate(value)]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    raise TypeError(f"cannot checkpoint a {type(value).__name__} at {name}")


def unflatten(description: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if "tensor" in description:
        return tensors[description["tensor"]]
    if "dict" in description:
        items = description["dict"].items()
        return {(int(k) if description["int_keys"] else k): unflatten(v, tensors) for k, v in items}
    if "list" in description:
        return [unflatten(v, tensors) for v in description["list"]]
    return description["value"]


# --- files ----------------------------------------------------------------------------------

def checkpoint_files(folder: Path) -> list[Path]:
    """Complete checkpoints, newest first (temporary files are never listed)."""
    if not folder.is_dir():
        return []
    steps = {}
    for path in folder.iterdir():
        middle = path.name[len(PREFIX):-len(SUFFIX)]
        if path.name.startswith(PREFIX) and path.name.endswith(SUFFIX) and middle.isdigit():
            steps[path] = int(middle)
    return sorted(steps, key=steps.get, reverse=True)


def write(folder: Path, step: int, state: dict[str, Any]) -> Path:
    """Publish the checkpoint of `step` atomically and keep the KEEP newest."""
    from safetensors.torch import save

    tensors: dict[str, torch.Tensor] = {}
    description = flatten(state, "state", tensors)
    for name, tensor in tensors.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise ValueError(f"refusing to checkpoint non-finite values in {name}")
    header = {"format_version": str(FORMAT_VERSION), "kind": KIND,
              "state": json.dumps(description)}
    blob = save(tensors, metadata=header)
    folder.mkdir(exist_ok=True)
    target = folder / f"{PREFIX}{step:09d}{SUFFIX}"
    write_atomic(target, blob, faults.checkpoint_write() if faults.active() else None)
    for old in checkpoint_files(folder)[KEEP:]:
        old.unlink(missing_ok=True)
    return target


def read(path: Path) -> dict[str, Any]:
    """The state saved in one checkpoint file; any problem is an ArtifactError (exit 3)."""
    from safetensors import SafetensorError, safe_open

    if not path.is_file() or path.stat().st_size == 0:
        raise ArtifactError(f"{path}: empty or missing checkpoint file")
    try:
        with safe_open(path, framework="pt") as f:
            header = f.metadata() or {}
            tensors = {name: f.get_tensor(name) for name in f.keys()}
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise ArtifactError(f"{path}: not a readable checkpoint ({str(exc)[:120]})") from None
    if header.get("kind") != KIND:
        raise ArtifactError(f"{path}: not an lrnn checkpoint (no '{KIND}' header)")
    version = header.get("format_version", "")
    if not version.isdigit() or int(version) > FORMAT_VERSION:
        raise ArtifactError(f"{path}: checkpoint format_version {version!r} is newer than this "
                            f"lrnn reads (up to {FORMAT_VERSION}); upgrade lrnn")
    try:
        return unflatten(json.loads(header["state"]), tensors)
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(f"{path}: its description does not match its tensors "
                            f"({exc.__class__.__name__}: {exc})") from None


def remove_leftovers(folder: Path) -> None:
    """Temporary files of a write that a killed process left (the caller holds the lock)."""
    if folder.is_dir():
        for path in folder.glob(f".{PREFIX}*.tmp"):
            path.unlink(missing_ok=True)


def newest(folder: Path, console, clean: bool = True) -> tuple[Path, dict[str, Any]]:
    """The newest readable checkpoint; a damaged newer one is reported and skipped. `clean`:
    this process holds the folder's lock and may remove a killed write's leftovers."""
    if clean:
        remove_leftovers(folder)
    files = checkpoint_files(folder)
    if not files:
        raise ArtifactError(f"--resume: no checkpoint in {folder}; nothing to resume "
                            f"(start a new run instead)")
    problems = []
    for path in files:
        try:
            return path, read(path)
        except ArtifactError as exc:
            problems.append(str(exc))
            if path != files[-1]:
                console.warn(f"{exc}; trying the previous checkpoint")
    raise ArtifactError(problems[0])
