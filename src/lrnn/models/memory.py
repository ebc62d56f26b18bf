"""What a model will need in memory to train, estimated from its architecture before anything
is allocated, and refused with the estimate when the machine does not have it (a hidden layer
of 10^7 units would otherwise end in an allocation failure deep inside torch).

The estimate counts float32 values: the parameters with their gradients and the optimizer's
state (sgd: momentum; adam: two moments; lbfgs: its history of 2 x 20 vectors), a copy for
early stopping, and the activations of one batch (forward and backward). It is a lower bound;
torch's own buffers come on top."""

from __future__ import annotations

import os
from typing import Any

from ..errors import InputError

BYTES = 4  # float32
LBFGS_VECTORS = 2 * 20 + 4  # history (torch_models' optimizers: LBFGS_HISTORY = 20) + work
STATE_COPIES = {"sgd": 3, "adam": 4, "adamw": 4, "lbfgs": 2 + LBFGS_VECTORS}


def widths(arch: dict[str, Any]) -> list[int]:
    hidden = arch.get("hidden_layer_sizes", []) if arch["model"] == "mlp" else []
    outputs = 1 if arch["n_classes"] == 2 else arch["n_classes"]  # torch_models.n_outputs
    return [arch["n_features"], *hidden, outputs]


def parameters(arch: dict[str, Any]) -> int:
    w = widths(arch)
    return sum(a * b + b for a, b in zip(w, w[1:]))


def training_bytes(arch: dict[str, Any], optimizer: str, batch_rows: int,
                   early_stopping: bool) -> tuple[int, int]:
    """(bytes for the parameters and their state, bytes for one batch's activations)."""
    copies = STATE_COPIES.get(optimizer, 4) + (1 if early_stopping else 0)
    activations = batch_rows * sum(widths(arch)[1:]) * 3  # outputs, activations, gradients
    return parameters(arch) * copies * BYTES, activations * BYTES


def available_bytes(device) -> int | None:
    """Free memory where the model trains: the GPU's free memory, or the machine's available
    memory (MemAvailable; the physical memory where /proc/meminfo is missing)."""
    if getattr(device, "type", "cpu") == "cuda":
        import torch

        return int(torch.cuda.mem_get_info(device)[0])
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def size_text(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1000 or unit == "PB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def check_fits(arch: dict[str, Any], config, n_train: int, device) -> None:
    """Refuse, before building the model, settings whose training would not fit in memory."""
    rows = n_train if config.optimizer == "lbfgs" else min(config.batch_size or n_train, n_train)
    weights, batch = training_bytes(arch, config.optimizer, rows, config.early_stopping)
    free = available_bytes(device)
    if free is None or weights + batch <= free:
        return
    if arch["model"] == "mlp":
        blame = "--hidden-layer-sizes " + ",".join(map(str, arch["hidden_layer_sizes"]))
    elif batch > weights:
        blame = f"--batch-size {config.batch_size}" if config.batch_size else "the full batch"
    else:
        blame = f"the data's {arch['n_features']:,} features"
    raise InputError(f"{blame}: training needs about {size_text(weights + batch)} "
                     f"({parameters(arch):,} parameters with their gradients and "
                     f"{config.optimizer} state: {size_text(weights)}; one batch of {rows:,} "
                     f"rows: {size_text(batch)}), more than the {size_text(free)} of memory "
                     f"free on {device}; choose a smaller model or batch")
