"""Bad input for `lrnn export`, through the real CLI: the exit code, one line on stderr, and
nothing written (no file, no temporary file); the run itself is never touched, and `lrnn
predict` keeps working."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import lrnn_cli, snapshot


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def _copy(run: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run, tmp_path / "run", ignore=shutil.ignore_patterns(".lock")))


def _edit_model_json(run: Path, change) -> None:
    """Change model.json as a careless hand would, its content hash made to agree so that the
    change reaches the checks behind the hash."""
    from lrnn.artifacts.model_schema import content_sha256

    path = run / "model.json"
    info = json.loads(path.read_text())
    change(info)
    info["model_sha256"] = content_sha256(info)
    path.write_text(json.dumps(info))


def _rename_color_to_label(info):
    for col in info["preprocessing"]["columns"]:
        if col["name"] == "color":
            col["name"] = "label"
    info["input_schema"]["columns"] = [c["name"] for c in info["preprocessing"]["columns"]]


def _empty_level(info):
    next(c for c in info["preprocessing"]["columns"] if c["name"] == "color")["levels"][0] = ""


DAMAGES = {
    "truncated weights": (lambda run: (run / "model.safetensors").write_bytes(
        (run / "model.safetensors").read_bytes()[:100]), "sha256 differs"),
    "model.json not JSON": (lambda run: (run / "model.json").write_text("{"), "not valid JSON"),
    "unknown preprocessing": (lambda run: _edit_model_json(
        run, lambda i: i["preprocessing"].update(kind="audio")),
        "preprocessing.kind: expected one of image, table, matrix"),
    "a column without its median": (lambda run: _edit_model_json(
        run, lambda i: i["preprocessing"]["columns"][0].pop("median")),
        "preprocessing.columns[0].median: missing"),
    "weights of another shape": (lambda run: _edit_model_json(
        run, lambda i: i["architecture"].update(hidden_layer_sizes=[8])), "do not match"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_run(damage, csv_run, tmp_path):
    run = _copy(csv_run[0], tmp_path)
    spoil, message = DAMAGES[damage]
    spoil(run)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = lrnn_cli("export", str(run), "-o", str(out_dir / "m.onnx"))
    assert result.returncode == 3
    assert message in _one_line(result.stderr)
    assert list(out_dir.iterdir()) == []


def test_not_a_run(tmp_path):
    result = lrnn_cli("export", str(tmp_path / "nothing"), "-o", str(tmp_path / "m.onnx"))
    assert result.returncode == 3 and "expected a run directory" in _one_line(result.stderr)
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("change, message", [
    (_rename_color_to_label, "column 'label': cannot be an input of the ONNX graph"),
    (_empty_level, "column 'color': has a level ''"),
])
def test_preprocessing_that_cannot_be_expressed(change, message, csv_run, tmp_path):
    run = _copy(csv_run[0], tmp_path)
    _edit_model_json(run, change)
    result = lrnn_cli("export", str(run), "-o", str(tmp_path / "m.onnx"))
    assert result.returncode == 2 and message in _one_line(result.stderr)
    assert not (tmp_path / "m.onnx").exists()


def test_existing_output(csv_run, tmp_path):
    out = tmp_path / "m.onnx"
    out.write_bytes(b"an older file")
    result = lrnn_cli("export", str(csv_run[0]), "-o", str(out))
    assert result.returncode == 2
    assert _one_line(result.stderr) == (f"lrnn export: error: -o {out}: already exists; pass "
                                        f"--force to overwrite")
    assert out.read_bytes() == b"an older file"
    result = lrnn_cli("export", str(csv_run[0]), "-o", str(out), "--force")
    assert result.returncode == 0, result.stderr
    import onnx

    onnx.checker.check_model(onnx.load(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def test_missing_folder(csv_run, tmp_path):
    out = tmp_path / "missing" / "m.onnx"
    result = lrnn_cli("export", str(csv_run[0]), "-o", str(out))
    assert result.returncode == 2 and "does not exist" in _one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_output_is_a_directory(csv_run, tmp_path):
    result = lrnn_cli("export", str(csv_run[0]), "-o", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in _one_line(result.stderr)


def test_read_only_folder(csv_run, tmp_path):
    """Root writes anywhere, so the command runs without the capability that lets it
    (setpriv from util-linux), as in tests/data/test_tabular.py."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    drop = ["setpriv", "--inh-caps=-dac_override", "--bounding-set=-dac_override"] \
        if os.geteuid() == 0 else []
    result = subprocess.run([*drop, sys.executable, "-m", "lrnn", "export", str(csv_run[0]),
                             "-o", str(folder / "m.onnx")], capture_output=True, text=True)
    folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "is not writable" in _one_line(result.stderr)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("opset, message", [("9", "--opset 9: expected 13 to"),
                                            ("x", "expected a whole number")])
def test_bad_opset(opset, message, csv_run, tmp_path):
    result = lrnn_cli("export", str(csv_run[0]), "-o", str(tmp_path / "m.onnx"), "--opset", opset)
    assert result.returncode == 2 and message in _one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_missing_extra(csv_run, tmp_path):
    """onnx made unimportable (a package of that name that raises as a missing one would)."""
    fake = tmp_path / "hide" / "onnx"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'onnx'\", "
                                      "name='onnx')\n")
    env = {"PYTHONPATH": str(tmp_path / "hide")}
    result = lrnn_cli("export", str(csv_run[0]), "-o", str(tmp_path / "m.onnx"), env=env)
    assert result.returncode == 2
    assert _one_line(result.stderr) == ("lrnn export: error: needs the export extra: "
                                        "pip install 'lrnn[export]'")
    assert not (tmp_path / "m.onnx").exists()


def test_run_untouched_and_predict_works(csv_run, tmp_path):
    run, test_file = csv_run
    before = snapshot(run)
    assert lrnn_cli("export", str(run), "-o", str(tmp_path / "a.onnx")).returncode == 0
    inside = lrnn_cli("export", str(run), "-o", str(run / "model.json"), "--force")
    assert inside.returncode == 2 and "one of the run's own files" in _one_line(inside.stderr)
    assert lrnn_cli("export", str(run), "-o", str(tmp_path / "a.onnx")).returncode == 2
    assert snapshot(run) == before
    predicted = lrnn_cli("predict", str(run), str(test_file), "-o", str(tmp_path / "p.csv"))
    assert predicted.returncode == 0, predicted.stderr
