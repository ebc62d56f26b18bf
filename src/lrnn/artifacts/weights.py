"""model.safetensors: the weights, written from numpy arrays and read back (never through a
link, and no larger than the architecture needs) with their sha256 checked against
model.json's and their names, shapes and types against its architecture. safetensors holds
tensors only, so loading runs no code; torch is never imported here."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..errors import ArtifactError
from .files import read_bytes, require_run_dir, write_atomic
from .model_json import read_info
from .model_schema import check_weights, expected_shapes, sha256_hex

WEIGHTS = "model.safetensors"


def save_weights(folder: Path, weights: dict) -> str:
    """Write model.safetensors from numpy arrays; return its sha256 for model.json."""
    from safetensors.numpy import save

    # safetensors writes an array's memory as it lies: a transposed view would come back
    # scrambled, so every tensor is made C-contiguous first.
    blob = save({name: np.ascontiguousarray(w) for name, w in weights.items()})
    write_atomic(folder / WEIGHTS, blob)
    return sha256_hex(blob)


class LoadedModel(NamedTuple):  # not a dataclass: making one is ~0.7 ms of `lrnn predict`
    info: dict[str, Any]  # model.json
    weights: dict[str, Any]  # tensor name -> numpy array


def load_run(run_dir: str | Path) -> LoadedModel:
    """model.json and the weights it names as numpy arrays."""
    from safetensors import SafetensorError
    from safetensors.numpy import load

    run_dir = require_run_dir(Path(run_dir))
    info = read_info(run_dir)
    path = run_dir / WEIGHTS
    blob = read_bytes(path, "the model weights", limit=largest_weights_file(info["architecture"]))
    if sha256_hex(blob) != info["weights_sha256"]:
        raise ArtifactError(f"{path}: sha256 differs from the one in model.json "
                            f"(corrupt, truncated or replaced)")
    try:
        weights = load(blob)
    except (SafetensorError, ValueError, RuntimeError, TypeError) as exc:
        raise ArtifactError(f"{path}: not a readable safetensors file ({exc})") from None
    check_weights(weights, info["architecture"], str(path))
    return LoadedModel(info=info, weights=weights)


def largest_weights_file(arch: dict[str, Any]) -> int:
    """The most bytes the weights of `arch` can take: float64 tensors and a generous header."""
    values = sum(int(np.prod(shape, dtype=np.float64)) for shape in expected_shapes(arch).values())
    return 8 * values + (1 << 20)
