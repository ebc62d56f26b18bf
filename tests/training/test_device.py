"""Device choice and repeatable runs."""

from __future__ import annotations

import pytest
import torch

import lrnn
from lrnn.training.device import choose_device
from lrnn.errors import InputError


def test_auto_picks_what_exists():
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert choose_device("auto").type == expected
    assert choose_device("cpu").type == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_absent_device_is_an_input_error():
    with pytest.raises(InputError, match="--device cuda: not available"):
        choose_device("cuda")


def test_deterministic_runs_are_bit_identical(tmp_path):
    runs = [lrnn.train(dataset="digits", model="mlp", hidden_layer_sizes="16", epochs=3,
                       deterministic=True, seed=7, out=str(tmp_path / f"r{i}")) for i in range(2)]
    a, b = (r.run_dir / "model.safetensors" for r in runs)
    assert a.read_bytes() == b.read_bytes()
    other = lrnn.train(dataset="digits", model="mlp", hidden_layer_sizes="16", epochs=3,
                       deterministic=True, seed=8, out=str(tmp_path / "r2"))
    assert (other.run_dir / "model.safetensors").read_bytes() != a.read_bytes()
    torch.use_deterministic_algorithms(False)


def test_small_models_train_on_one_thread_and_restore_the_setting():
    from lrnn.training.device import threads_for

    torch.set_num_threads(2)
    small, large = torch.nn.Linear(20, 2), torch.nn.Linear(784, 256)
    with threads_for(small, torch.device("cpu")):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == 2
    with threads_for(large, torch.device("cpu")):
        assert torch.get_num_threads() == 2
