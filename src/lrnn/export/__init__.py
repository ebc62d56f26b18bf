"""Export: a saved run as one ONNX file that takes raw rows or raw images, with the preprocessing
inside, checked with onnxruntime against `lrnn predict` before it is written (atomically).

    export_run(run_dir, output, opset=None, force=False) -> ExportResult
    export_estimator(estimator, output, ...)   the same for a fitted lrnn estimator

onnx and onnxruntime are imported only here, on use (the `export` extra).
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import _lrnn
from .libraries import require, resolve_opset
from .model_file import build_model
from .rows import Rows, generated_rows, held_out_rows
from .verify import agreement, session_for


@dataclass(frozen=True)
class ExportResult:
    path: Path
    max_difference: float  # largest |onnxruntime - lrnn predict| over every probability checked
    rows_checked: int
    checked_on: list[str]  # what the rows were
    opset: int
    size_bytes: int
    seconds: float
    notes: list[str] = field(default_factory=list)  # such as why no test rows were used

    def summary(self) -> str:
        return (f"wrote {self.path} ({self.size_bytes / 1e6:.2f} MB, opset {self.opset}) in "
                f"{self.seconds:.2f} s; onnxruntime gives lrnn predict's labels on all "
                f"{self.rows_checked:,} rows checked ({', '.join(self.checked_on)}), largest "
                f"probability difference {self.max_difference:.2g}")


def export_run(run_dir, output, opset: int | None = None, force: bool = False,
               rows=None) -> ExportResult:
    """Write `output` from the run in `run_dir`. `rows`: more rows to check on, as Predictor
    takes them. Nothing is written unless onnxruntime reproduced `lrnn predict` on every row."""
    start = time.perf_counter()
    run_dir, output = Path(run_dir), Path(output)
    check_output(output, run_dir, force)
    onnx, onnxruntime = require()
    opsets = resolve_opset(onnx, opset)
    predictor, sha256 = _load(run_dir)
    try:
        blob = build_model(onnx, predictor, opsets, sha256).SerializeToString()
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _lrnn.ArtifactError(f"{run_dir / _lrnn.MODEL_JSON}: unusable preprocessing or "
                                  f"architecture ({exc.__class__.__name__}: {exc})") from None
    row_sets, notes = _rows_to_check(run_dir, predictor, rows)
    found = agreement(session_for(onnxruntime, blob, opsets[0]), predictor, row_sets)
    try:
        _lrnn.write_atomic(output, blob)
    except OSError as exc:
        raise _lrnn.storage_error(output, exc) from None
    return ExportResult(output, found.max_difference, found.rows, [r.what for r in row_sets],
                        opsets[0], len(blob), time.perf_counter() - start, notes)


def export_estimator(estimator, output, opset: int | None = None, force: bool = False,
                     X=None) -> ExportResult:
    """A fitted lrnn estimator, through a run folder saved in a temporary place: one path for
    both, so the file is the one `lrnn export` makes of `estimator.save(dir)`, with that
    run's checks on load. `X`: rows to check on besides generated ones."""
    import tempfile

    import numpy as np

    check_output(Path(output), None, force)  # before saving anything
    with tempfile.TemporaryDirectory(prefix="lrnn-export-") as tmp:
        run = Path(tmp) / "run"
        estimator.save(run)
        X = None if X is None else np.asarray(X, dtype=np.float32)
        rows = None if X is None else Rows(X, f"{len(X):,} rows given")
        return export_run(run, output, opset=opset, force=force, rows=rows)


def check_output(output: Path, run_dir: Path | None, force: bool) -> None:
    if output.is_dir():
        raise _lrnn.InputError(f"-o {output}: is a directory; expected a file name such as "
                               f"model.onnx")
    if output.exists() and not force:
        raise _lrnn.InputError(f"-o {output}: already exists; pass --force to overwrite")
    folder = output.parent
    if not folder.is_dir():
        raise _lrnn.InputError(f"-o {output}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _lrnn.InputError(f"-o {output}: folder {folder} is not writable")
    if run_dir is not None and output.exists() and output.suffix != ".onnx" and \
            output.resolve().parent == run_dir.resolve():
        raise _lrnn.InputError(f"-o {output}: is one of the run's own files; choose another "
                               f"name")


def _load(run_dir: Path):
    loaded = _lrnn.load_run(run_dir)
    try:
        predictor = _lrnn.Predictor(loaded.info, loaded.weights, str(run_dir / _lrnn.WEIGHTS))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _lrnn.ArtifactError(f"{run_dir / _lrnn.MODEL_JSON}: unusable description "
                                  f"({exc.__class__.__name__}: {exc})") from None
    model_json = _lrnn.read_bytes(run_dir / _lrnn.MODEL_JSON, "the model description")
    return predictor, {"weights": loaded.info["weights_sha256"],
                       "model_json": hashlib.sha256(model_json).hexdigest()}


def _rows_to_check(run_dir: Path, predictor, given) -> tuple[list[Rows], list[str]]:
    state = predictor.preprocessor.state
    row_sets, notes = [given] if given is not None else [], []
    test, why = held_out_rows(run_dir, state["kind"])
    if test is not None:
        row_sets.append(test)
    elif given is None:
        notes.append(f"{why}; checked on generated rows only")
    row_sets.append(generated_rows(state))
    return row_sets, notes


__all__ = ["ExportResult", "export_run", "export_estimator"]
