"""Must show 3: exporting the MNIST MLP (the default 784-256-10) takes at most 2 s, and an
MNIST file is no larger than 1.1 × model.safetensors plus the preprocessing tables."""

from __future__ import annotations

import json
import re

from lrnn.export import export_run
from tests.conftest import lrnn_cli

SECONDS = 2.0


def _bound(run) -> float:
    info = json.loads((run / "model.json").read_text())
    tables = len(json.dumps(info["preprocessing"]))
    return 1.1 * (run / "model.safetensors").stat().st_size + tables


def test_mnist_mlp_time_and_size(mnist_mlp_run, tmp_path):
    """The time `lrnn export` reports (from the command's start on: onnx's import, reading the
    run and the 10,000 test images, building, checking, writing; Python's own start and
    lrnn's import, ~0.4 s, come before it). The best of three tries, since the machine is
    shared: the figure is a capability, not a measure of the neighbours' load."""
    info = json.loads((mnist_mlp_run / "model.json").read_text())["architecture"]
    assert info["hidden_layer_sizes"] == [256] and info["n_features"] == 784
    out = tmp_path / "mlp.onnx"
    took = []
    for _ in range(3):
        result = lrnn_cli("export", str(mnist_mlp_run), "-o", str(out), "--force")
        assert result.returncode == 0, result.stderr
        assert "10,064 rows checked" in result.stdout  # the 10,000 test images within the time
        took.append(float(re.search(r" in ([0-9.]+) s;", result.stdout).group(1)))
        if took[-1] <= SECONDS:
            break
    assert min(took) <= SECONDS, f"lrnn export took {took} s"
    assert out.stat().st_size <= _bound(mnist_mlp_run)


def test_mnist_logreg_size(mnist_logreg_run, tmp_path):
    result = export_run(mnist_logreg_run, tmp_path / "logreg.onnx")
    assert result.path.stat().st_size <= _bound(mnist_logreg_run)
