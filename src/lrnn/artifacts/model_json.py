"""model.json: what a saved model is (format version, versions, task, class labels,
architecture, preprocessing state, input schema, the weights' sha256 and the sha256 of its own
content), built and written here for every kind of run (`lrnn train` and the estimators), and
read back here through the checks of model_schema.py."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from .._version import __version__
from .files import read_bytes, write_json
from .json_checks import parse_json
from .model_schema import FORMAT_VERSION, check_model_info, content_sha256

MODEL_JSON = "model.json"
MAX_BYTES = 256 << 20  # a table of 10,000 columns of 50 levels each is ~20 MB


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


def write_model_json(folder: Path, info: dict[str, Any]) -> dict[str, Any]:
    """Write model.json into `folder` with the sha256 of its content; return what was written."""
    info = dict(info, format_version=FORMAT_VERSION)
    info.pop("model_sha256", None)
    info["model_sha256"] = content_sha256(info)
    write_json(Path(folder) / MODEL_JSON, info)
    return info


def read_info(run_dir: Path) -> dict[str, Any]:
    """model.json of a run, checked in full (model_schema.py); ArtifactError otherwise."""
    path = Path(run_dir) / MODEL_JSON
    info = parse_json(read_bytes(path, "the model description", limit=MAX_BYTES), str(path))
    check_model_info(info, str(path))
    return info
