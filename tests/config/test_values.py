"""Settings that torch or numpy could not hold, encodings that are not text encodings, a
TOML nested 100,000 deep and contradicting settings: each refused with one line before any
work (exit 2), the folder unchanged."""

from __future__ import annotations

import pytest

from lrnn.config import build_config
from lrnn.config.values import MAX_INT
from lrnn.errors import InputError
from tests.conftest import lrnn_cli, refused, snapshot

HUGE = str(10**30)


@pytest.mark.parametrize("args,message", [
    (["--batch-size", HUGE], "--batch-size: expected an integer >= 1 and <= 2147483647, found"),
    (["--seed", HUGE], f"--seed: expected an integer >= 0 and <= {MAX_INT}, found '{HUGE}'"),
    (["--seed", str(2**64)], f"--seed: expected an integer >= 0 and <= {MAX_INT}"),
    (["--epochs", HUGE], f"--epochs: expected an integer >= 1 and <= {MAX_INT}"),
    (["--hidden-layer-sizes", str(2**31)], "each an integer from 1 to 2147483647"),
    (["--encoding", "rot13"], "--encoding: expected a text encoding such as utf-8"),
    (["--encoding", "base64"], "--encoding: expected a text encoding such as utf-8"),
    (["--encoding", "klingon"], "--encoding: expected a text encoding such as utf-8"),
    (["--model", "logreg", "--dropout", "0.2"], "--dropout 0.2: applies to --model mlp only"),
    (["--data", "x.csv", "--target", "label", "--id-column", "label"],
     "--id-column label: is also the --target"),
])
def test_refused_settings(tmp_path, args, message):
    before = snapshot(tmp_path)
    refused(lrnn_cli("train", *args, "--out", str(tmp_path / "run"), cwd=tmp_path), 2, message)
    assert snapshot(tmp_path) == before


def test_the_largest_seed_is_accepted():
    assert build_config({"seed": MAX_INT}).seed == MAX_INT
    with pytest.raises(InputError, match="--seed|seed: expected an integer"):
        build_config({"seed": MAX_INT + 1})


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_encoding_of_predict_and_evaluate(table_run, tmp_path, command):
    args = [str(table_run), str(table_run.parent / "table.csv"), "-o", str(tmp_path / "p.csv")] \
        if command == "predict" else [str(table_run), "--data", str(table_run.parent /
                                                                     "table.csv")]
    refused(lrnn_cli(command, *args, "--encoding", "base64"), 2,
            "--encoding: expected a text encoding such as utf-8")


def test_toml_nested_100000_deep(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("epochs = " + "[" * 100_000 + "]" * 100_000 + "\n")
    before = snapshot(tmp_path)
    refused(lrnn_cli("train", "--config", str(path), "--out", str(tmp_path / "run")), 2,
            "deep.toml: nested too deeply; expected flat `name = value` lines")
    assert snapshot(tmp_path) == before
