"""What a run's report says besides its scores: the data it saw, how long each phase took,
how training ended, and the software and device it ran on (metrics.json "data", "timings",
"training", "environment"). The engine fills one RunRecord as the run goes; the writer reads
it."""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .model_json import package_version

PACKAGES = ("lrnn", "torch", "numpy", "scikit-learn", "matplotlib", "safetensors")
# How the run's OpenMP and OpenBLAS threads were told to wait (training/openmp.py), as the
# environment says
OPENMP_SETTINGS = ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS",
                   "OPENBLAS_THREAD_TIMEOUT")


def describe(dataset, n_features: int, info: dict, labels: dict[str, np.ndarray], history,
             record: "RunRecord") -> dict:
    """metrics.json's "data", "training", "environment" and "timings" entries; `labels` holds
    each split's class indices."""
    return {"data": data_summary(dataset.source, dataset.classes, n_features,
                                 info["input_schema"], labels),
            "training": training_summary(history),
            "environment": environment(record.device, record.processes),
            "timings": record.timings}


def data_summary(source: str, classes: tuple[str, ...], n_features: int,
                 input_schema: dict, labels: dict[str, np.ndarray]) -> dict:
    """Rows per split and the class balance of each (counts, in class order)."""
    return {
        "source": source,
        "input": input_schema["kind"],
        "n_features": n_features,
        "rows": {name: len(y) for name, y in labels.items()},
        "class_counts": {name: np.bincount(y, minlength=len(classes)).tolist()
                         for name, y in labels.items()},
    }


def training_summary(history) -> dict:
    """How training ended: epochs (lbfgs: iterations) and steps run, early stopping, lbfgs."""
    last = history.epochs[-1] if history.epochs else {}
    return {"epochs": last.get("epoch", 0), "steps": last.get("step", 0),
            "best_epoch": history.best_epoch, "stopped_early": history.stopped_early,
            "converged": history.converged}


def environment(device: str, processes: int = 1) -> dict:
    versions = {name: package_version(name) for name in PACKAGES}
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpu_count": os.cpu_count(), "device": device, "processes": processes,
            "openmp": {name: os.environ[name] for name in OPENMP_SETTINGS if name in os.environ},
            "versions": versions}


class Timings(dict):
    """Seconds per phase of a run, as `<phase>_s` keys (JSON-ready: a plain dict)."""

    def __init__(self):
        super().__init__()
        self._started = self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        """Record the time since the previous lap (or the start) as `phase`."""
        now = time.perf_counter()
        self[f"{phase}_s"] = now - self._last
        self._last = now

    def total(self) -> None:
        self["total_s"] = time.perf_counter() - self._started


@dataclass
class RunRecord:
    """Where a run trained and how long each phase took, filled by the engine as it goes."""

    device: str
    processes: int = 1  # data-parallel processes (torchrun)
    timings: Timings = field(default_factory=Timings)
