"""What a valid model.json is, checked in full before any of it is used: every field typed and
in range, the fields agreeing with each other (classes and outputs, features and the
preprocessing state, the input schema), the weights' names, shapes and types agreeing with the
architecture, and the sha256 of the file's own content.

The content hash (`model_sha256`, over the canonical JSON of everything else) catches an
accidental edit, such as two class names swapped by hand. It is not a signature: anyone who
can edit the file can recompute it. Trust a run folder as much as whoever can write to it."""

from __future__ import annotations

import json
from typing import Any

from ..config.names import ACTIVATIONS, MODELS
from ..errors import ArtifactError
from .json_checks import (SchemaError, anything, boolean, check, dict_of, integer, list_of,
                          nullable, number, obj, text)

FORMAT_VERSION = 2  # 2: model_sha256 added (format 1 files are read without it)
WEIGHT_DTYPES = ("float32", "float64")
MAX_WIDTH = 2**31 - 1
SHA256 = text(length=64)
NAMES = list_of(text(), distinct=True, what="a list of texts")


def layer_names(arch: dict[str, Any]) -> list[str]:
    """The linear layers of a model, input to output, as named in its weights."""
    if arch["model"] == "logreg":
        return ["linear"]
    return [f"hidden.{i}" for i in range(len(arch["hidden_layer_sizes"]))] + ["output"]


def expected_shapes(arch: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    k = arch["n_classes"]
    widths = [arch["n_features"], *arch.get("hidden_layer_sizes", []), 1 if k == 2 else k]
    if arch["model"] == "logreg":
        widths = [arch["n_features"], 1 if k == 2 else k]
    shapes = {}
    for name, (a, b) in zip(layer_names(arch), zip(widths, widths[1:])):
        shapes[f"{name}.weight"] = (b, a)
        shapes[f"{name}.bias"] = (b,)
    return shapes


def content_sha256(info: dict[str, Any]) -> str:
    """The sha256 of model.json's content without its own hash, as canonical JSON."""
    body = {k: v for k, v in info.items() if k != "model_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return sha256_hex(canonical.encode("ascii"))


# Up to this size, SHA-256 by CPython's own code (_sha256; _sha2 from 3.12): hashlib loads
# OpenSSL's library first, ~3.5 ms of a ~0.17 s `lrnn predict`, and hashes faster only past
# about a megabyte (1.7 against 0.25 GB/s on a 2-core AMD EPYC).
SMALL_DIGEST_BYTES = 2**20


def sha256_hex(data: bytes) -> str:
    """The sha256 of `data`, in hex."""
    if len(data) <= SMALL_DIGEST_BYTES:
        for builtin in ("_sha256", "_sha2"):  # CPython 3.11; 3.12 and later
            try:
                module = __import__(builtin)
            except ImportError:
                continue
            return module.sha256(data).hexdigest()
    from hashlib import sha256  # large data, or an interpreter without CPython's modules

    return sha256(data).hexdigest()


NUMERIC = obj({"name": text(), "type": text(["numeric"]), "median": number(), "mean": number(),
               "std": number(0, open_low=True), "indicator": boolean})
CATEGORICAL = obj({"name": text(), "type": text(["categorical"]), "levels": NAMES,
                   "missing": boolean, "other": boolean})


def _table_column(value, where: str) -> None:
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in ("numeric", "categorical"):
        raise SchemaError(f"{where}.type", "numeric or categorical", kind)
    (NUMERIC if kind == "numeric" else CATEGORICAL)(value, where)


_table_column.expected = "a column's state"
PREPROCESSING = {
    "image": obj({"kind": text(["image"]),
                  "shape": list_of(integer(1, 2**16), min_len=2, what="a list")}),
    "table": obj({"kind": text(["table"]), "columns": list_of(_table_column, min_len=1),
                  "dropped": dict_of(text()), "features": NAMES}),
    "matrix": obj({"kind": text(["matrix"]), "features": NAMES}),
}
ARCHITECTURE = obj({"model": text(MODELS), "n_features": integer(1, MAX_WIDTH),
                    "n_classes": integer(2, MAX_WIDTH)},
                   {"dtype": text(WEIGHT_DTYPES)})
MLP = obj({"hidden_layer_sizes": list_of(integer(1, MAX_WIDTH), min_len=1),
           "activation": text(ACTIVATIONS), "dropout": nullable(number(0, 1, open_high=True))})
ESTIMATOR = obj({"class": text(), "params": dict_of(anything),
                 "classes": obj({"dtype": text(), "values": list_of(anything)}),
                 "attributes": dict_of(anything)})
MODEL = obj({"classes": list_of(text(), min_len=2, distinct=True, what="a list of texts"),
             "threshold": number(0, 1, open_low=True, open_high=True),
             "architecture": ARCHITECTURE, "preprocessing": obj({"kind": text(PREPROCESSING)}),
             "input_schema": obj({"kind": text(("image", "table"))}),
             "weights_sha256": SHA256},
            {"task": text(("binary", "multiclass")), "dataset": text(), "created": text(),
             "lrnn_version": nullable(text()), "torch_version": nullable(text()),
             "estimator": ESTIMATOR, "model_sha256": SHA256})
TABLE_SCHEMA = obj({"columns": list_of(text(), what="a list of texts"),
                    "dropped": dict_of(text())},
                   {"target": nullable(text()), "id_column": nullable(text())})


def check_model_info(info: Any, source: str) -> None:
    """Everything above; ArtifactError naming `source` and the field."""
    if not isinstance(info, dict):
        raise ArtifactError(f"{source}: expected a JSON object, found {type(info).__name__}")
    _check_version(info.get("format_version"), source)
    check(info, MODEL, source)
    pre, arch = info["preprocessing"], info["architecture"]
    check(pre, PREPROCESSING[pre["kind"]], source, "preprocessing")
    if arch["model"] == "mlp":
        check(arch, MLP, source, "architecture")
    try:
        _agree(info, pre, arch)
    except SchemaError as exc:
        raise ArtifactError(f"{source}: {exc}") from None
    if info["format_version"] >= 2:
        if "model_sha256" not in info:
            raise ArtifactError(f"{source}: model_sha256: missing; expected the sha256 of "
                                f"the file's content (format_version {info['format_version']})")
        if content_sha256(info) != info["model_sha256"]:
            raise ArtifactError(f"{source}: its content differs from its model_sha256: the "
                                f"file was edited or damaged after it was saved")


def _check_version(version: Any, source: str) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ArtifactError(f"{source}: format_version: expected an integer from 1 to "
                            f"{FORMAT_VERSION}, found {json.dumps(version)}")
    if version > FORMAT_VERSION:
        raise ArtifactError(f"{source}: format_version {version} is newer than this lrnn reads "
                            f"(up to {FORMAT_VERSION}); upgrade lrnn")


def _agree(info: dict, pre: dict, arch: dict) -> None:
    """The fields that must agree with each other."""
    classes = info["classes"]
    if arch["n_classes"] != len(classes):
        raise SchemaError("architecture.n_classes", f"{len(classes)}, the number of classes",
                          arch["n_classes"])
    task = "binary" if len(classes) == 2 else "multiclass"
    if info.get("task", task) != task:
        raise SchemaError("task", f"{task} for {len(classes)} classes", info["task"])
    if pre["kind"] == "image":
        if len(pre["shape"]) != 2:
            raise SchemaError("preprocessing.shape", "[rows, columns]", pre["shape"])
        features = pre["shape"][0] * pre["shape"][1]
    elif pre["kind"] == "table":
        features = sum(1 + c["indicator"] if c["type"] == "numeric"
                       else len(c["levels"]) + c["missing"] + c["other"] for c in pre["columns"])
        if features != len(pre["features"]):
            raise SchemaError("preprocessing.features", f"{features} names, as the columns "
                              f"encode", len(pre["features"]))
    else:
        features = len(pre["features"])
    if arch["n_features"] != features:
        raise SchemaError("architecture.n_features", f"{features}, the preprocessing's "
                          f"features", arch["n_features"])
    schema = info["input_schema"]
    if (schema["kind"] == "image") != (pre["kind"] == "image"):
        raise SchemaError("input_schema.kind", f"the preprocessing's kind ({pre['kind']})",
                          schema["kind"])
    if schema["kind"] == "image" and schema.get("shape") != pre["shape"]:
        raise SchemaError("input_schema.shape", f"{pre['shape']}", schema.get("shape"))
    if schema["kind"] == "table":
        TABLE_SCHEMA(schema, "input_schema")


def check_weights(weights: dict[str, Any], arch: dict[str, Any], source: str) -> None:
    """The tensors model.json's architecture calls for: names, shapes, float32 or float64,
    finite values."""
    import numpy as np

    expected = expected_shapes(arch)
    found = {name: tuple(w.shape) for name, w in weights.items()}
    if found != expected:
        raise ArtifactError(f"{source}: the weights do not match the architecture in "
                            f"model.json (expected {expected}, found {found})")
    for name, w in weights.items():
        if w.dtype.name not in WEIGHT_DTYPES:
            raise ArtifactError(f"{source}: tensor {name} is {w.dtype.name}; expected "
                                f"{' or '.join(WEIGHT_DTYPES)}")
        if not np.isfinite(w).all():
            raise ArtifactError(f"{source}: tensor {name} holds NaN or infinite values")
