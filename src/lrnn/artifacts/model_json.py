"""model.json: what a saved model is (format version, versions, task, class labels,
architecture, preprocessing state, input schema, the weights' sha256), built here for every
kind of run (`lrnn train` and the estimators) and checked here when read."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import ArtifactError
from .files import read_bytes

FORMAT_VERSION = 1
MODEL_JSON = "model.json"
REQUIRED_KEYS = ("format_version", "classes", "architecture", "preprocessing", "weights_sha256")


def package_version(name: str) -> str | None:
    """An installed package's version; torch's own string (such as 2.13.0+cpu) when loaded."""
    module = {"torch": "torch", "scikit-learn": "sklearn"}.get(name, name)
    if module in sys.modules and hasattr(sys.modules[module], "__version__"):
        return sys.modules[module].__version__
    from importlib import metadata  # ~10 ms (the email package) that `lrnn predict` skips

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def image_schema(shape) -> dict[str, Any]:
    return {"kind": "image", "shape": list(shape)}


def table_schema(columns: list[str], dropped: dict[str, str], target: str | None = None,
                 id_column: str | None = None) -> dict[str, Any]:
    return {"kind": "table", "columns": list(columns), "dropped": dict(dropped),
            "target": target, "id_column": id_column}


def describe_model(*, dataset: str, classes, threshold: float, architecture: dict,
                   preprocessing: dict, input_schema: dict, **extra: Any) -> dict[str, Any]:
    """model.json's content, without the weights' sha256 (added when the weights are
    written). `extra` holds what one kind of run adds (the estimators' section)."""
    classes = [str(c) for c in classes]
    return {
        "format_version": FORMAT_VERSION,
        "lrnn_version": __version__,
        "torch_version": package_version("torch"),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "dataset": dataset,
        "task": "binary" if len(classes) == 2 else "multiclass",
        "classes": classes,
        "threshold": threshold,
        "architecture": architecture,
        "preprocessing": preprocessing,
        "input_schema": input_schema,
        **extra,
    }


def read_info(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / MODEL_JSON
    try:
        info = json.loads(read_bytes(path, "the model description"))
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
