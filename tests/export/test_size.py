"""Must show 3: an MNIST file is no larger than 1.1 x model.safetensors plus the preprocessing
tables. The export's time (at most 2 s for the MNIST MLP) is benchmarks/export.py's business:
no test here is timed."""

from __future__ import annotations

import json
import re

from lrnn.export import export_run
from tests.conftest import lrnn_cli


def _bound(run) -> float:
    info = json.loads((run / "model.json").read_text())
    tables = len(json.dumps(info["preprocessing"]))
    return 1.1 * (run / "model.safetensors").stat().st_size + tables


def test_mnist_mlp_size_and_report(mnist_mlp_run, tmp_path):
    """The command checks the 10,000 test images and says how long it took, in the words
    benchmarks/export.py reads."""
    info = json.loads((mnist_mlp_run / "model.json").read_text())["architecture"]
    assert info["hidden_layer_sizes"] == [256] and info["n_features"] == 784
    out = tmp_path / "mlp.onnx"
    result = lrnn_cli("export", str(mnist_mlp_run), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "10,064 rows checked" in result.stdout
    assert re.search(r" in [0-9.]+ s;", result.stdout)
    assert out.stat().st_size <= _bound(mnist_mlp_run)


def test_mnist_logreg_size(mnist_logreg_run, tmp_path):
    result = export_run(mnist_logreg_run, tmp_path / "logreg.onnx")
    assert result.path.stat().st_size <= _bound(mnist_logreg_run)
