"""--tensorboard: the per-epoch curves of history.csv as TensorBoard scalars in <run>/tensorboard/.

Written when the run is saved, from the recorded history (with each epoch's real wall-clock
time), so that a failed run leaves no event files behind, like every other file of a run.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

from ..errors import InputError

FOLDER = "tensorboard"
EPOCH_SCALARS = {  # history.csv column -> TensorBoard tag (grouped by the part before "/")
    "train_loss": "loss/train", "val_loss": "loss/validation", "test_loss": "loss/test",
    "train_accuracy": "accuracy/train", "val_accuracy": "accuracy/validation",
    "test_accuracy": "accuracy/test", "lr": "learning_rate",
}


def require() -> None:
    """Checked before training starts, without importing tensorboard (slow)."""
    if importlib.util.find_spec("tensorboard") is None:
        raise InputError("--tensorboard: the tensorboard package is not installed; install it "
                         "with: pip install 'lrnn[tensorboard]'")


def write(folder: Path, epochs: list[dict], evals: list[dict]) -> None:
    """One scalar per history column and epoch, at the optimizer step the epoch ended on; the
    --eval-every points as eval/test_accuracy and eval/test_loss."""
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(log_dir=str(folder / FOLDER))
    try:
        for row in epochs:
            for column, tag in EPOCH_SCALARS.items():
                if not math.isnan(row[column]):
                    writer.add_scalar(tag, row[column], row["step"], walltime=row["unix_time"])
        started = epochs[0]["unix_time"] - epochs[0]["time_s"] if epochs else None
        for row in evals:
            walltime = started + row["time_s"] if started is not None else None
            for column in ("test_accuracy", "test_loss"):
                writer.add_scalar(f"eval/{column}", row[column], row["step"], walltime=walltime)
    finally:
        writer.close()
