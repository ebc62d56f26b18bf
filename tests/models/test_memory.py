"""The memory a model needs to train, estimated before it is built (models/memory.py): the
parameter count is torch's own, and a model beyond the machine's memory is refused with the
estimate instead of failing inside torch."""

from __future__ import annotations

import pytest

from lrnn.models import memory
from tests.conftest import lrnn_cli, refused, snapshot


@pytest.mark.parametrize("arch", [
    {"model": "logreg", "n_features": 64, "n_classes": 10},
    {"model": "logreg", "n_features": 30, "n_classes": 2},
    {"model": "mlp", "n_features": 784, "n_classes": 10, "hidden_layer_sizes": [256, 128],
     "activation": "relu", "dropout": 0.1},
    {"model": "mlp", "n_features": 5, "n_classes": 2, "hidden_layer_sizes": [7],
     "activation": "tanh", "dropout": 0.0},
])
def test_parameters_are_torchs_count(arch):
    from lrnn.models.torch_models import build

    assert memory.parameters(arch) == sum(p.numel() for p in build(arch).parameters())


def test_the_estimate_grows_with_the_optimizers_state():
    arch = {"model": "mlp", "n_features": 100, "n_classes": 3, "hidden_layer_sizes": [50]}
    sgd, _ = memory.training_bytes(arch, "sgd", 10, early_stopping=False)
    adam, _ = memory.training_bytes(arch, "adam", 10, early_stopping=False)
    lbfgs, _ = memory.training_bytes(arch, "lbfgs", 10, early_stopping=False)
    assert sgd == 3 * 4 * memory.parameters(arch) and sgd < adam < lbfgs


def test_a_hidden_layer_beyond_memory_is_refused_before_it_is_built(tmp_path):
    before = snapshot(tmp_path)
    line = refused(lrnn_cli("train", "--dataset", "iris", "--model", "mlp",
                            "--hidden-layer-sizes", "10000000,10000000", "--out",
                            str(tmp_path / "run")), 2,
                   "--hidden-layer-sizes 10000000,10000000: training needs about")
    assert "100,000,090,000,003 parameters" in line and "of memory free on cpu" in line
    assert snapshot(tmp_path) == before and not (tmp_path / "run").exists()
