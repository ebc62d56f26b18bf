"""The check that guards publishing: a graph that does not compute what the run computes is
refused (here: the graph of one MNIST run against the Predictor of another), and the batches
it runs are the ones promised (1,000 rows at a time, and single rows)."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest

from lrnn.errors import LrnnError
from lrnn.export import export_run
from lrnn.export.rows import generated_rows, held_out_rows
from lrnn.export.verify import BATCH_ROWS, agreement, batches, session_for
from lrnn.predict import Predictor


def test_a_graph_of_another_model_is_refused(mnist_logreg_run, mnist_mlp_run, tmp_path):
    logreg = export_run(mnist_logreg_run, tmp_path / "logreg.onnx").path
    session = session_for(onnxruntime, logreg.read_bytes(), 18)
    other = Predictor.load(mnist_mlp_run)
    rows, _ = held_out_rows(mnist_mlp_run, "image")
    with pytest.raises(LrnnError, match=r"onnxruntime's label for row \d+ of the 10,000 rows "
                                        r"of mnist test data is '\d', lrnn predict's is '\d'"):
        agreement(session, other, [rows])
    own = agreement(session, Predictor.load(mnist_logreg_run),
                    [rows, generated_rows(other.preprocessor.state)])
    assert own.rows == 10_064 and 0 < own.max_difference <= 1e-5


@pytest.mark.parametrize("n", [0, 1, 114, 1000, 10_000, 10_001])
def test_batches(n):
    parts = batches(n)
    covered = np.concatenate(parts) if parts else np.empty(0, int)
    assert set(covered.tolist()) == set(range(n))
    assert any(len(b) == BATCH_ROWS for b in parts) or n == 0
    assert all(len(b) <= BATCH_ROWS for b in parts)
    singles = [int(b[0]) for b in parts if len(b) == 1]
    assert set(range(min(n, 16))) <= set(singles)


def test_opsets(csv_run, tmp_path):
    """The oldest opset export takes and the newest the installed onnx knows both pass the
    check; the stamped versions are the ones asked for."""
    import onnx

    for opset in (13, onnx.defs.onnx_opset_version()):
        result = export_run(csv_run[0], tmp_path / f"{opset}.onnx", opset=opset)
        stamped = {o.domain or "ai.onnx": o.version for o in onnx.load(result.path).opset_import}
        assert stamped["ai.onnx"] == opset and "ai.onnx.ml" in stamped
        assert result.max_difference <= 1e-5
