"""Checkpoint files: round trip without pickle, and every bad checkpoint of RELIABILITY.md
through the real CLI (`--resume`): exit 3 with its message, no code from a file ever run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from lrnn.training import checkpoints
from tests.conftest import lrnn_cli

SRC = Path(__file__).resolve().parents[1] / "src" / "lrnn"
SETTINGS = ["--dataset", "digits", "--model", "mlp", "--hidden-layer-sizes", "16", "--epochs",
            "3", "--batch-size", "64", "--no-plots"]  # checkpoints and weights are looked at


def test_nested_state_round_trip(tmp_path):
    state = {"a": torch.arange(3), "b": [torch.ones(2), None, 1.5], "c": {0: "x", 1: True},
             "d": {"e": {"f": torch.zeros(2, 2)}}}
    path = checkpoints.write(tmp_path, 7, state)
    assert path.name == "ckpt-000000007.safetensors"
    back = checkpoints.read(path)
    assert torch.equal(back["a"], state["a"]) and back["b"][1:] == [None, 1.5]
    assert back["c"] == {0: "x", 1: True} and torch.equal(back["d"]["e"]["f"], torch.zeros(2, 2))
    for step in (8, 9):
        checkpoints.write(tmp_path, step, state)
    assert [p.name for p in checkpoints.checkpoint_files(tmp_path)] == [
        "ckpt-000000009.safetensors", "ckpt-000000008.safetensors"]  # the two newest kept


def test_non_finite_state_is_never_written(tmp_path):
    with pytest.raises(ValueError, match="non-finite"):
        checkpoints.write(tmp_path, 1, {"w": torch.tensor([1.0, float("nan")])})
    assert not list(tmp_path.glob("ckpt-*"))


@pytest.fixture(scope="module")
def interrupted(tmp_path_factory):
    """A run stopped at step 30 of 63: one checkpoint to damage in each test."""
    out = tmp_path_factory.mktemp("runs") / "run"
    result = lrnn_cli("train", *SETTINGS, "--out", str(out), "-q",
                      env={"LRNN_FAULT": "interrupt@step=30"})
    assert result.returncode == 130, result.stderr
    return out


def copy_run(run: Path, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    dst = tmp_path / "run"
    shutil.copytree(run, dst)
    (only,) = checkpoints.checkpoint_files(dst / "checkpoints")
    return dst, only


class Exploit:
    """Unpickling this creates a file: the proof that code from a file ran."""

    marker = ""

    def __reduce__(self):
        return (open, (self.marker, "w"))


def plant_pickle(path: Path, marker: Path) -> None:
    Exploit.marker = str(marker)
    torch.save({"state": Exploit()}, path)


def _rewrite(path: Path, change) -> None:
    from safetensors import safe_open

    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    tensors = load_file(path)
    change(tensors, metadata)
    save_file(tensors, path, metadata=metadata)


def _wrong_shape(tensors, metadata):
    name = next(k for k in tensors if k.endswith("hidden.0.weight") and ".model." in k)
    tensors[name] = torch.zeros(3, 3)


def _edit_state(change):
    """Change the JSON description of the checkpoint's state (its "state" metadata)."""
    def apply(tensors, metadata):
        description = json.loads(metadata["state"])
        change(description["dict"]["trainer"]["dict"])
        metadata["state"] = json.dumps(description)
    return lambda p: _rewrite(p, apply)


def _nest_deep(tensors, metadata):
    metadata["state"] = metadata["state"][:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"


DAMAGE = {
    "step as a string": (_edit_state(lambda t: t["position"]["dict"]["step"].update(value="30")),
                         'state.trainer.position.step: expected an integer >= 0'),
    "an optimizer's count as text": (
        _edit_state(lambda t: t["optimizer"]["dict"]["steps"].update(value="30")),
        "optimizer.steps: expected an integer, found \"30\""),
    "history rows of text": (
        _edit_state(lambda t: t["history"]["dict"]["epochs"]["list"][0]["dict"]["train_loss"]
                    .update(value="low")), "state.trainer.history.epochs[0].train_loss"),
    "its JSON nested 100,000 deep": (lambda p: _rewrite(p, _nest_deep),
                                     "(its state): nested deeper than 64 levels"),
    "empty": (lambda p: p.write_bytes(b""), "empty checkpoint file"),
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[:-200]), "not a readable checkpoint"),
    "random bytes": (lambda p: p.write_bytes(bytes(range(256)) * 64), "not a readable checkpoint"),
    "tensors disagree with the description": (lambda p: _rewrite(p, _wrong_shape),
                                              "does not fit this model"),
    "description names a missing tensor": (
        lambda p: _rewrite(p, lambda t, m: t.pop(next(k for k in t if ".position.order" in k))),
        "its description does not match its tensors"),
    "newer format_version": (lambda p: _rewrite(p, lambda t, m: m.update(format_version="99")),
                             "checkpoint format_version '99' is newer"),
    "not an lrnn checkpoint": (lambda p: _rewrite(p, lambda t, m: m.update(kind="other")),
                               "not an lrnn checkpoint"),
}


@pytest.mark.parametrize("case", list(DAMAGE))
def test_bad_checkpoint_exit_3(interrupted, tmp_path, case):
    run, ckpt = copy_run(interrupted, tmp_path)
    damage, message = DAMAGE[case]
    damage(ckpt)
    result = lrnn_cli("train", "--resume", str(run), "-q")
    assert result.returncode == 3, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (run / "model.json").exists()


def test_resume_without_checkpoint_exit_3(tmp_path):
    (tmp_path / "run").mkdir()
    result = lrnn_cli("train", "--resume", str(tmp_path / "run"))
    assert result.returncode == 3 and "no checkpoint in" in result.stderr
    missing = lrnn_cli("train", "--resume", str(tmp_path / "nothing"))
    assert missing.returncode == 3 and "expected a run directory, found nothing" in missing.stderr


@pytest.mark.parametrize("force_unsafe", [False, True])
def test_planted_pickle_checkpoint_never_runs(interrupted, tmp_path, force_unsafe):
    run, ckpt = copy_run(interrupted, tmp_path)
    marker = tmp_path / "pwned"
    plant_pickle(ckpt, marker)
    env = {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"} if force_unsafe else {}
    result = lrnn_cli("train", "--resume", str(run), "-q", env=env)
    assert result.returncode == 3 and "not a readable checkpoint" in result.stderr
    assert not marker.exists()


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "finished"
    assert lrnn_cli("train", *SETTINGS, "--out", str(out), "-q").returncode == 0
    return out


@pytest.mark.parametrize("force_unsafe", [False, True])
def test_planted_pickle_model_never_runs(finished, tmp_path, force_unsafe):
    import hashlib
    import shutil

    from lrnn.artifacts.model_schema import content_sha256

    run = tmp_path / "run"
    shutil.copytree(finished, run)
    marker = tmp_path / "pwned"
    plant_pickle(run / "model.safetensors", marker)
    info = json.loads((run / "model.json").read_text())
    info["weights_sha256"] = hashlib.sha256((run / "model.safetensors").read_bytes()).hexdigest()
    info["model_sha256"] = content_sha256(info)  # a consistent model.json: the weights are tried
    (run / "model.json").write_text(json.dumps(info))
    import numpy as np

    np.save(tmp_path / "x.npy", np.zeros((1, 64), np.float32))
    env = {"TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD": "1"} if force_unsafe else {}
    for command in (["predict", str(run), str(tmp_path / "x.npy"), "-o", str(tmp_path / "p.csv")],
                    ["evaluate", str(run)]):
        result = lrnn_cli(*command, env=env)
        assert result.returncode == 3 and "not a readable safetensors file" in result.stderr
    assert not marker.exists()


def test_source_never_loads_unsafely():
    """No pickle anywhere; any torch.load passes weights_only=True; numpy never allows pickle."""
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(c?pickle|dill|joblib)\b", text, re.M), path
        for call in re.findall(r"torch\.load\([^)]*\)", text):
            assert "weights_only=True" in call, (path, call)
        for call in re.findall(r"np\.load\([^)]*\)", text):
            assert "allow_pickle=False" in call, (path, call)
