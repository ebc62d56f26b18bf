"""model.json is checked in full before anything uses it (artifacts/model_schema.py): each
hand edit of issue 21 is exit 3 through `lrnn predict`, one line naming model.json and the
field, nothing written. Edits are resealed (model_sha256 recomputed) so that the checks behind
the hash are what each case tests; an edit that is not resealed is caught by the hash."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import numpy as np
import pytest

from lrnn.artifacts.model_schema import FORMAT_VERSION, content_sha256
from tests.conftest import lrnn_cli, refused, snapshot


def edited(change, reseal: bool = True):
    def apply(run):
        info = json.loads((run / "model.json").read_text())
        change(info)
        if reseal:
            info["model_sha256"] = content_sha256(info)
        (run / "model.json").write_text(json.dumps(info))  # json writes NaN as NaN
    return apply


def raw(text_of):
    """model.json replaced by `text_of(the original text)`."""
    def apply(run):
        (run / "model.json").write_text(text_of((run / "model.json").read_text()))
    return apply


def numeric(info):
    return info["preprocessing"]["columns"][0]  # the run's "size" column


def categorical(info):
    return info["preprocessing"]["columns"][1]  # its "colour" column


def weights_as(dtype):
    """model.safetensors rewritten with its tensors stored as `dtype`, both hashes resealed."""
    def apply(run):
        from safetensors.numpy import load, save

        blob = save({k: v.astype(dtype) for k, v in load((run / "model.safetensors")
                                                          .read_bytes()).items()})
        (run / "model.safetensors").write_bytes(blob)
        edited(lambda i: i.update(weights_sha256=hashlib.sha256(blob).hexdigest()))(run)
    return apply


def duplicate_threshold(text: str) -> str:
    return text.replace('"threshold": 0.5', '"threshold": 0.5, "threshold": 0.9', 1)


def swap_classes(info):
    info["classes"].reverse()


CASES = {
    "a class added to a binary model": (edited(lambda i: i["classes"].append("c")),
                                        "architecture.n_classes: expected 3"),
    "classes 5": (edited(lambda i: i.update(classes=5)), "classes: expected a list of texts"),
    "classes {}": (edited(lambda i: i.update(classes={})), "classes: expected a list"),
    "classes []": (edited(lambda i: i.update(classes=[])), "classes: expected a list"),
    "classes null": (edited(lambda i: i.update(classes=None)), "found null"),
    "classes not distinct": (edited(lambda i: i.update(classes=["a", "a"])),
                             "classes[1]: expected distinct values"),
    "a mean as text": (edited(lambda i: numeric(i).update(mean="2.5")),
                       'preprocessing.columns[0].mean: expected a finite number, found "2.5"'),
    "columns removed": (edited(lambda i: i["preprocessing"].pop("columns")),
                        "preprocessing.columns: missing"),
    "levels as an int": (edited(lambda i: categorical(i).update(levels=3)),
                         "preprocessing.columns[1].levels: expected a list of texts"),
    "mean NaN": (edited(lambda i: numeric(i).update(mean=float("nan")), reseal=False),
                 "preprocessing.columns[0].mean: expected a finite number, found NaN"),
    "std 0": (edited(lambda i: numeric(i).update(std=0)), "preprocessing.columns[0].std"),
    "threshold NaN": (edited(lambda i: i.update(threshold=float("nan")), reseal=False),
                      "threshold: expected a finite number, found NaN"),
    "threshold Infinity": (edited(lambda i: i.update(threshold=float("inf")), reseal=False),
                           "threshold: expected a finite number, found Infinity"),
    "threshold 1.5": (edited(lambda i: i.update(threshold=1.5)),
                      "threshold: expected a finite number > 0 and < 1, found 1.5"),
    "threshold 0": (edited(lambda i: i.update(threshold=0)), "found 0"),
    "threshold -1": (edited(lambda i: i.update(threshold=-1)), "found -1"),
    "threshold text": (edited(lambda i: i.update(threshold="x")), 'found "x"'),
    "format_version 0": (edited(lambda i: i.update(format_version=0)),
                         f"format_version: expected an integer from 1 to {FORMAT_VERSION}, "
                         f"found 0"),
    "format_version -7": (edited(lambda i: i.update(format_version=-7)), "found -7"),
    "format_version true": (edited(lambda i: i.update(format_version=True)), "found true"),
    "format_version text": (edited(lambda i: i.update(format_version="1")), 'found "1"'),
    "format_version 1.0": (edited(lambda i: i.update(format_version=1.0)), "found 1.0"),
    "format_version newer": (edited(lambda i: i.update(format_version=FORMAT_VERSION + 1)),
                             f"format_version {FORMAT_VERSION + 1} is newer than this lrnn"),
    "a duplicate key": (raw(duplicate_threshold), "key 'threshold' appears twice"),
    "nested 100,000 deep": (raw(lambda t: t[:-2] + ', "x": ' + "[" * 100_000 + "]" * 100_000
                                + "}"), "nested deeper than 64 levels"),
    "weights as float16": (weights_as(np.float16), "is float16; expected float32 or float64"),
    "weights as int64": (weights_as(np.int64), "is int64; expected float32 or float64"),
    "weights as bool": (weights_as(np.bool_), "is bool; expected float32 or float64"),
    "class names swapped by hand": (edited(swap_classes, reseal=False),
                                    "its content differs from its model_sha256"),
    "model_sha256 removed": (edited(lambda i: i.pop("model_sha256"), reseal=False),
                             "model_sha256: missing"),
    "a file of 257 MiB": (lambda run: os.truncate(run / "model.json", 257 << 20),
                         "more than the 268,435,456 expected"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_edited_model_json_is_refused(table_run, tmp_path, case):
    run = tmp_path / "run"
    shutil.copytree(table_run, run)
    damage, message = CASES[case]
    damage(run)
    before = snapshot(tmp_path)
    result = lrnn_cli("predict", str(run), str(table_run.parent / "table.csv"), "-o",
                      str(tmp_path / "p.csv"))
    line = refused(result, 3, message)
    assert "model.json" in line or "model.safetensors" in line
    assert snapshot(tmp_path) == before


def test_the_hash_covers_the_whole_content(table_run):
    info = json.loads((table_run / "model.json").read_text())
    assert info["format_version"] == FORMAT_VERSION == 2
    assert info["model_sha256"] == content_sha256(info)
    swapped = dict(info, classes=info["classes"][::-1])
    assert content_sha256(swapped) != info["model_sha256"]


def test_format_1_runs_still_load(table_run, tmp_path):
    """A run saved before model_sha256 existed (format 1) is read without it."""
    from lrnn.predict import Predictor

    run = tmp_path / "run"
    shutil.copytree(table_run, run)
    edited(lambda i: (i.pop("model_sha256"), i.update(format_version=1)), reseal=False)(run)
    assert Predictor.load(run).classes == ("a", "b")
