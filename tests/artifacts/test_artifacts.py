"""Saving and loading a run: safetensors + JSON, checked against each other."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import numpy as np
import pytest
import torch

from lrnn.artifacts import FORMAT_VERSION, load_run, write_atomic
from lrnn.errors import ArtifactError
from lrnn.predict import Predictor
from tests.conftest import lrnn_cli


@pytest.fixture(scope="module")
def iris_run(tmp_path_factory):
    import lrnn

    out = tmp_path_factory.mktemp("r") / "iris"
    lrnn.train(dataset="iris", model="mlp", hidden_layer_sizes="8", epochs=5, out=str(out))
    return out


def copy_run(run, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(run, dst)
    return dst


def test_round_trip(iris_run):
    loaded = load_run(iris_run)
    info = json.loads((iris_run / "model.json").read_text())
    assert loaded.info == info and info["format_version"] == FORMAT_VERSION
    assert set(loaded.weights) == {"hidden.0.weight", "hidden.0.bias", "output.weight",
                                   "output.bias"}
    predictor = Predictor.load(iris_run)
    assert predictor.classes == ("setosa", "versicolor", "virginica")
    assert predictor.predict_proba([[5.1, 3.5, 1.4, 0.2]]).shape == (1, 3)


def _edit_json(run, change, reseal=True):
    """Change model.json; `reseal`: with its content hash recomputed, as a consistent file
    whose content is wrong, so that the checks behind the hash are what is tested."""
    from lrnn.artifacts.model_schema import content_sha256

    info = json.loads((run / "model.json").read_text())
    change(info)
    if reseal:
        info["model_sha256"] = content_sha256(info)
    (run / "model.json").write_text(json.dumps(info))


# Every way a saved run can be damaged, and the message that names it: the same list for the
# Python API (Predictor.load) and for the CLI (exit 3, one line).
DAMAGES = [
    (lambda r: (r / "model.json").unlink(), "model.json: missing"),
    (lambda r: (r / "model.json").write_text(""), "empty file"),
    (lambda r: (r / "model.json").write_text("{not json"), "not valid JSON"),
    (lambda r: (r / "model.json").write_text('{"format_version": 1, "classes'), "not valid JSON"),
    (lambda r: (r / "model.safetensors").unlink(), "model.safetensors: missing"),
    (lambda r: (r / "model.safetensors").write_bytes(b""), "empty file"),
    (lambda r: (r / "model.safetensors").write_bytes(
        (r / "model.safetensors").read_bytes()[:-50]), "sha256 differs"),
    (lambda r: (r / "model.safetensors").write_bytes(bytes(range(256)) * 4), "sha256 differs"),
    (lambda r: _edit_json(r, lambda i: i.update(format_version=FORMAT_VERSION + 1)),
     "newer than this lrnn reads"),
    (lambda r: _edit_json(r, lambda i: i["architecture"].update(hidden_layer_sizes=[9])),
     "do not match the architecture"),
    (lambda r: _edit_json(r, lambda i: i.pop("classes")), "classes: missing"),
    (lambda r: _edit_json(r, lambda i: i["classes"].reverse(), reseal=False),
     "its content differs from its model_sha256"),
]


@pytest.mark.parametrize("damage,message", DAMAGES)
def test_damaged_artifact(iris_run, tmp_path, damage, message):
    run = copy_run(iris_run, tmp_path)
    damage(run)
    with pytest.raises(ArtifactError, match=message):
        Predictor.load(run)


def test_json_weights_disagreement_is_exit_3_in_cli(iris_run, tmp_path):
    run = copy_run(iris_run, tmp_path)
    _edit_json(run, lambda i: i["architecture"].update(hidden_layer_sizes=[9]))
    result = lrnn_cli("evaluate", str(run))
    assert result.returncode == 3 and "do not match" in result.stderr


def test_unsafe_weights_are_never_unpickled(iris_run, tmp_path):
    """A torch pickle planted as model.safetensors (with a matching sha256) is not executed."""

    run = copy_run(iris_run, tmp_path)
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    torch.save({"x": Exploit()}, run / "model.safetensors")
    digest = hashlib.sha256((run / "model.safetensors").read_bytes()).hexdigest()
    _edit_json(run, lambda i: i.update(weights_sha256=digest))
    with pytest.raises(ArtifactError, match="not a readable safetensors"):
        Predictor.load(run)
    assert not marker.exists()


def test_write_atomic_leaves_no_temporary(tmp_path):
    write_atomic(tmp_path / "a.txt", "hello")
    write_atomic(tmp_path / "a.txt", b"world")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    assert (tmp_path / "a.txt").read_text() == "world"


def test_write_atomic_temporary_is_new_private_and_beside_the_file(tmp_path, monkeypatch):
    """The temporary is made as tempfile.mkstemp makes one: in the file's folder, mode 0600
    whatever the umask, never at a name that exists (a file or a link, dangling or not: each
    clash takes another random name, and what was there is left as it was); the published
    file then has the umask's mode."""
    from lrnn.artifacts import files

    target = tmp_path / "a.txt"
    (tmp_path / ".a.txt.000000000000.tmp").write_text("someone else's")
    (tmp_path / ".a.txt.010101010101.tmp").symlink_to(tmp_path / "elsewhere")
    names = iter([bytes([0] * 6), bytes([1] * 6), bytes([2] * 6)])
    monkeypatch.setattr(files.os, "urandom", lambda n: next(names))
    modes = []
    real_fchmod = os.fchmod
    monkeypatch.setattr(files.os, "fchmod", lambda fd, mode: (
        modes.append((os.readlink(f"/proc/self/fd/{fd}"), os.fstat(fd).st_mode & 0o777)),
        real_fchmod(fd, mode)))
    old = os.umask(0o022)
    try:
        write_atomic(target, "hello")
    finally:
        os.umask(old)
    assert modes == [(str(tmp_path / ".a.txt.020202020202.tmp"), 0o600)]
    assert (tmp_path / ".a.txt.000000000000.tmp").read_text() == "someone else's"
    assert not (tmp_path / "elsewhere").exists()
    assert target.read_text() == "hello" and target.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".a.txt.000000000000.tmp", ".a.txt.010101010101.tmp", "a.txt"]


@pytest.mark.parametrize("size", [0, 1, 55, 64, 1000, 2**20, 2**20 + 1, 3 * 2**20])
def test_sha256_hex_is_hashlib_sha256(size):
    """Up to SMALL_DIGEST_BYTES CPython's own SHA-256 is used, above it hashlib's (sizes on
    both sides of the limit): both give hashlib's digest. That the small side loads no
    hashlib is test_predict's SPARED check."""
    from lrnn.artifacts.model_schema import sha256_hex

    data = np.random.default_rng(size).bytes(size)
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("damage,message", DAMAGES)
def test_damaged_artifact_through_the_cli_exit_3(iris_run, tmp_path, damage, message):
    run = copy_run(iris_run, tmp_path)
    damage(run)
    result = lrnn_cli("evaluate", str(run))
    assert result.returncode == 3, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
