"""Which device to train on, and the switches that make runs repeatable."""

from __future__ import annotations

import os

import torch

from .errors import InputError


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
