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
from ..artifacts.json_checks import (SchemaError, anything, boolean, dict_of, integer,
                                     list_of, nullable, number, obj, parse_json, text)
from ..artifacts.safe_io import open_regular, refuse_link, shown
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


def unflatten(description: Any, tensors: dict[str, torch.Tensor], where: str = "state") -> Any:
    """The value `flatten` described; a malformed description is a SchemaError naming where.
    (Its depth is bounded by parse_json, so the recursion is too.)"""
    node = description if isinstance(description, dict) else {}
    if isinstance(node.get("tensor"), str) and node["tensor"] in tensors:
        return tensors[node["tensor"]]
    if isinstance(node.get("dict"), dict) and isinstance(node.get("int_keys"), bool):
        if node["int_keys"] and not all(k.isdigit() for k in node["dict"]):
            raise SchemaError(where, "whole-number keys", list(node["dict"]))
        return {(int(k) if node["int_keys"] else k): unflatten(v, tensors, f"{where}.{k}")
                for k, v in node["dict"].items()}
    if isinstance(node.get("list"), list):
        return [unflatten(v, tensors, f"{where}[{i}]") for i, v in enumerate(node["list"])]
    plain = node.get("value")
    if "value" in node and (plain is None or isinstance(plain, (bool, int, float, str))):
        return plain
    raise SchemaError(where, "a tensor of the file, an object, a list or a plain value",
                      description)


def _tensor(value, where: str) -> None:
    if not isinstance(value, torch.Tensor):
        raise SchemaError(where, "a tensor", value)


_tensor.expected = "a tensor"
ROW = dict_of(nullable(number(finite=False)))  # a History row: numbers (NaN: not measured)
COUNT = integer(0, 2**63 - 1)
STATE = obj({
    "trainer": obj({
        "position": obj({"epoch": COUNT, "step": COUNT, "batch": COUNT, "seen": COUNT,
                         "order": nullable(_tensor), "loss_sum": nullable(_tensor),
                         "correct": nullable(_tensor)}),
        "model": dict_of(_tensor),
        "optimizer": dict_of(anything),
        "rng": obj({"torch": _tensor, "order": _tensor}),
        "early_stopping": obj({"best_loss": number(finite=False), "rows_since_best": COUNT,
                               "best_state": nullable(dict_of(_tensor))}),
        "history": obj({"epochs": list_of(ROW), "evals": list_of(ROW),
                        "best_epoch": nullable(COUNT), "converged": nullable(boolean)}),
        "elapsed": number(0)}),
    "config": dict_of(anything), "data_fingerprint": text(length=64)})


KINDS = {"int": "an integer", "float": "a number", "str": "a text", "bool": "true or false",
         "NoneType": "null", "list": "a list", "tuple": "a list", "dict": "an object",
         "Tensor": "a tensor"}


def _kind(value: Any) -> str:
    name = type(value).__name__
    return KINDS.get(name, name)


def check_like(saved: Any, fresh: Any, where: str) -> None:
    """`saved` (a checkpoint's optimizer state) shaped as `fresh` (the state of the optimizer
    just built): every key of `fresh` present, each value of the same kind, lists of the same
    length; so that a hand-edited checkpoint fails here rather than in the middle of a step."""
    if _kind(saved) != _kind(fresh):
        raise SchemaError(where, _kind(fresh), saved if not isinstance(saved, torch.Tensor)
                          else "a tensor")
    if isinstance(fresh, dict):
        for key, value in fresh.items():
            if key not in saved:
                raise SchemaError(f"{where}.{key}", _kind(value), missing=True)
            check_like(saved[key], value, f"{where}.{key}")
    elif isinstance(fresh, (list, tuple)) and fresh:
        if len(saved) != len(fresh):
            raise SchemaError(where, f"a list of {len(fresh)}", f"{len(saved)} items")
        for i, (old, new) in enumerate(zip(saved, fresh)):
            check_like(old, new, f"{where}[{i}]")


# --- files ----------------------------------------------------------------------------------

def checkpoint_files(folder: Path) -> list[Path]:
    """Complete checkpoints, newest first (temporary files are never listed)."""
    refuse_link(folder)
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
    refuse_link(folder)
    folder.mkdir(exist_ok=True)
    target = folder / f"{PREFIX}{step:09d}{SUFFIX}"
    write_atomic(target, blob, faults.checkpoint_write() if faults.active() else None)
    for old in checkpoint_files(folder)[KEEP:]:
        old.unlink(missing_ok=True)
    return target


def read(path: Path) -> dict[str, Any]:
    """The state saved in one checkpoint file; any problem is an ArtifactError (exit 3)."""
    from safetensors import SafetensorError, safe_open

    with open_regular(path, "a checkpoint file", error=ArtifactError, nofollow=True) as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise ArtifactError(f"{shown(path)}: empty checkpoint file")
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
    description = parse_json(header.get("state", ""), f"{shown(path)} (its state)",
                             finite=False)
    try:
        return unflatten(description, tensors)
    except SchemaError as exc:
        raise ArtifactError(f"{shown(path)}: its description does not match its tensors "
                            f"({exc})") from None


def read_state(path: Path) -> dict[str, Any]:
    """A training checkpoint's state (`read`), checked to be one (STATE) before anything uses
    it: a position of whole numbers, history rows of numbers, and so on."""
    state = read(path)
    try:
        STATE(state, "state")
    except SchemaError as exc:
        raise ArtifactError(f"{shown(path)}: not the state of an lrnn training run ({exc})") \
            from None
    return state


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
            return path, read_state(path)
        except ArtifactError as exc:
            problems.append(str(exc))
            if path != files[-1]:
                console.warn(f"{exc}; trying the previous checkpoint")
    raise ArtifactError(problems[0])
