"""Continuing a run from its checkpoint: which settings may change, and fingerprints that
recognize the same data and the same model."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from ..config import RunConfig, build_config
from ..errors import ArtifactError, InputError

# Changing these does not change what is being trained; anything else would.
SAFE_CHANGES = {"epochs", "iterations", "eval_every", "checkpoint_every", "device", "tensorboard",
                "plots", "patience", "deterministic"}


def resumed_config(saved: dict[str, Any], given: dict[str, Any], source: str,
                   console) -> RunConfig:
    """The checkpoint's settings with the safe ones the user gave; a change to any other is an
    error naming it."""
    if "out" in given:
        raise InputError("--out: not with --resume; the run continues in its own folder")
    merged = dict(saved)
    for name, value in given.items():
        before = saved.get(name)
        if _same(value, before):
            continue
        if name not in SAFE_CHANGES:
            raise ArtifactError(f"{source}: was trained with {name} = {before!r}, found "
                                f"{value!r}: that is a different model; start a new run instead")
        console.warn(f"--resume: {name} changed from {before!r} to {value!r}")
        merged[name] = value
    if "epochs" in given:
        merged.pop("iterations", None)
    if "iterations" in given:
        merged.pop("epochs", None)
    return build_config(merged)


def _same(a: Any, b: Any) -> bool:
    return (list(a) if isinstance(a, tuple) else a) == (list(b) if isinstance(b, tuple) else b)


def data_fingerprint(prepared) -> str:
    """The training rows and labels, the split sizes and the fitted preprocessing."""
    digest = hashlib.sha256()
    digest.update(json.dumps(prepared.preprocessor.to_json(), sort_keys=True).encode())
    digest.update(json.dumps(list(prepared.dataset.classes)).encode())
    for part in (prepared.train, prepared.val, prepared.test):
        digest.update(str(len(part) if part is not None else 0).encode())
    for tensor in (prepared.train.X, prepared.train.y):
        digest.update(np.ascontiguousarray(tensor.cpu().numpy()).data)
    return digest.hexdigest()


def check_data(saved: str, current: str, source: str) -> None:
    if saved != current:
        raise ArtifactError(f"{source}: the checkpoint was trained on different data (its "
                            f"rows, labels or preprocessing differ); start a new run instead")
