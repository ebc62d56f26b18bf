"""A fitted estimator as a run directory, and back: model.safetensors (the weights) and
model.json in the format of `lrnn train` runs (artifacts/model_json.py), plus an "estimator"
section with the class, its parameters, the typed class labels and the fitted attributes. No
pickle: the parameters and attributes are plain JSON. `lrnn predict RUN table.csv` works on such a run too
(the table's columns are the feature names: feature_names_in_, or x0, x1, ...)."""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..artifacts import model_json
from ..artifacts.files import is_new_folder
from ..artifacts.run_dir import RunDir
from ..artifacts.weights import save_weights
from ..errors import ArtifactError
from ..models.numpy_forward import NumpyModel
from ..preprocessing.matrix import fit_matrix

# Fitted attributes kept in model.json besides the weights; absent ones are skipped.
ATTRIBUTES = ("n_features_in_", "feature_names_in_", "n_iter_", "loss_curve_", "best_loss_",
              "validation_scores_", "best_validation_score_")


def save(estimator, path) -> None:
    check_is_fitted(estimator)
    out = Path(path)
    if not is_new_folder(out):
        raise FileExistsError(f"{out}: already exists and is not an empty folder")
    info = model_info(estimator)

    def write_files(stage: Path) -> None:
        info["weights_sha256"] = save_weights(stage, estimator._state_weights())
        model_json.write_model_json(stage, info)

    run_dir = RunDir.create(out)  # published all at once, model.json last (run_dir.py)
    completed = False
    try:
        run_dir.publish(write_files)
        completed = True
    finally:
        run_dir.close(completed)


def model_info(estimator) -> dict[str, Any]:
    """model.json (artifacts/model_json.py) with the estimator's own section."""
    classes = estimator.classes_
    names = [str(n) for n in getattr(estimator, "feature_names_in_", [])] or \
        [f"x{i}" for i in range(estimator.n_features_in_)]
    section = {
        "class": type(estimator).__name__,
        "params": {k: to_json(v, k) for k, v in estimator.get_params(deep=False).items()},
        "classes": {"dtype": classes.dtype.str,
                    "values": [to_json(c, "classes_") for c in classes.tolist()]},
        "attributes": {name: to_json(getattr(estimator, name), name)
                       for name in ATTRIBUTES if hasattr(estimator, name)},
    }
    return model_json.describe_model(
        dataset="estimator", classes=classes, threshold=0.5,
        architecture=estimator._architecture(), preprocessing=fit_matrix(names),
        input_schema=model_json.table_schema(names, {}),
        sklearn_version=model_json.package_version("scikit-learn"), estimator=section)


def to_json(value, name: str):
    """A parameter or attribute as JSON: tuples, dicts, arrays and infinities are tagged so
    that `from_json` gives back the same types."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else {"float": repr(float(value))}
    if isinstance(value, np.ndarray):
        return {"array": [to_json(v, name) for v in value.tolist()], "dtype": value.dtype.str}
    if isinstance(value, (tuple, list)):
        return {"tuple" if isinstance(value, tuple) else "list": [to_json(v, name) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[to_json(k, name), to_json(v, name)] for k, v in value.items()]}
    raise TypeError(f"cannot save {name}={value!r} in model.json: a {type(value).__name__} is "
                    f"not plain data (for random_state, use an int or None)")


def from_json(value):
    if not isinstance(value, dict):
        return value
    if "float" in value:
        return float(value["float"])
    if "array" in value:
        return np.array([from_json(v) for v in value["array"]], dtype=np.dtype(value["dtype"]))
    if "tuple" in value:
        return tuple(from_json(v) for v in value["tuple"])
    if "list" in value:
        return [from_json(v) for v in value["list"]]
    return {from_json(k): from_json(v) for k, v in value["dict"]}


def estimator_from(loaded, run_dir, classes: dict[str, type]):
    """The fitted estimator saved in a loaded run (artifacts.weights.load_run: checked, no
    pickle); `classes` are the estimator classes by name."""
    where = Path(run_dir) / model_json.MODEL_JSON
    try:
        spec = loaded.info["estimator"]
        cls = classes[spec["class"]]
        estimator = cls(**{k: from_json(v) for k, v in spec["params"].items()})
        classes = spec["classes"]
        estimator.classes_ = np.array(classes["values"], dtype=np.dtype(classes["dtype"]))
        for name, value in spec["attributes"].items():
            setattr(estimator, name, from_json(value))
        arch = loaded.info["architecture"]
        NumpyModel(arch, loaded.weights, str(where))  # checks shapes and values
        estimator._restore(arch, loaded.weights)
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{where}: not a usable estimator description "
                            f"({exc.__class__.__name__}: {exc})") from None
    return estimator
