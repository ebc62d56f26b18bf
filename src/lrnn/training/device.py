"""Which device to train on, and the switches that make runs repeatable."""

from __future__ import annotations

import os
from contextlib import contextmanager

import torch

from ..errors import InputError


def choose_device(name: str) -> torch.device:
    """auto: cuda, then mps, then cpu. An explicit device that is absent is an error."""
    cuda = torch.cuda.is_available()
    mps = hasattr(torch.backends, "mps") and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (name == "cuda" and not cuda) or (name == "mps" and not mps):
        raise InputError(f"--device {name}: not available on this machine (torch "
                         f"{torch.__version__}); use --device cpu or auto")
    return torch.device(name)


def seed_everything(seed: int, deterministic: bool) -> None:
    torch.manual_seed(seed)
    if deterministic:
        # cuBLAS needs a fixed workspace to be deterministic; must be set before first use.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True)


# Below this many weights in its largest layer a model trains faster on one CPU thread: the
# work per step is too small to split, and on busy cores a parallel kernel waits for threads
# (a 20-feature logistic regression: 28 s on 2 threads vs 1.7 s on 1, with 2 cores loaded).
SMALL_MODEL_WEIGHTS = 50_000


def threads_for(model: torch.nn.Module, device: torch.device):
    """One CPU thread while a small model trains; the caller's setting is restored after."""
    largest = max((p.numel() for p in model.parameters() if p.ndim >= 2), default=0)
    return threads_for_weights(largest, device)


@contextmanager
def threads_for_weights(largest: int, device: torch.device):
    """One CPU thread while a model whose largest layer has `largest` weights trains."""
    before = torch.get_num_threads()
    if device.type == "cpu" and largest < SMALL_MODEL_WEIGHTS:
        torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
