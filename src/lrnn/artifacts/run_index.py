"""The runs in a folder, newest first (`lrnn runs`), and the name `latest` for the newest one,
accepted wherever a command expects a run directory.

A folder is a complete run exactly when it has model.json (run_dir.py publishes it last); a
run that was interrupted has checkpoints but no model.json, which only `--resume` wants. One
unreadable run never hides the others: its row says what is wrong with it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError
from .model_json import MODEL_JSON

LATEST = "latest"
RUNS_FOLDER = Path("runs")  # where `lrnn train` puts runs without --out (engine.default_out)


class RunEntry(NamedTuple):  # not a dataclass: making one was ~0.7 ms of every command's start
    path: Path
    data: str  # the dataset or file stem the run was trained on
    model: str  # logreg, mlp 256,128, or the estimator's class
    accuracy: float | None  # metrics.json test accuracy (None: not scored, such as estimators)
    created: datetime
    complete: bool  # has model.json
    problem: str = ""  # why the run could not be read, if it could not

    @property
    def date(self) -> str:
        return self.created.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _model_name(info: dict) -> str:
    if "estimator" in info:
        return str(info["estimator"].get("class", "estimator"))
    arch = info.get("architecture", {})
    hidden = arch.get("hidden_layer_sizes")
    name = str(arch.get("model", "?"))
    return f"{name} {','.join(map(str, hidden))}" if hidden else name


def _created(folder: Path, info: dict) -> datetime:
    """When the run was made: model.json's stamp, else the newest file's time (an unfinished
    run)."""
    try:
        return datetime.fromisoformat(info["created"]).astimezone(timezone.utc)
    except (KeyError, TypeError, ValueError):
        pass
    times = [p.stat().st_mtime for p in folder.rglob("*") if p.is_file()] or \
        [folder.stat().st_mtime]
    return datetime.fromtimestamp(max(times), timezone.utc)


def _entry(folder: Path) -> RunEntry | None:
    complete = (folder / MODEL_JSON).is_file()
    if not complete and not any((folder / "checkpoints").glob("*.safetensors")):
        return None  # not a run: neither a model nor a checkpoint
    info = _read_json(folder / MODEL_JSON) if complete else {}
    problem = "" if info or not complete else f"{MODEL_JSON} unreadable"
    accuracy = _read_json(folder / "metrics.json").get("test", {}).get("accuracy")
    return RunEntry(folder, str(info.get("dataset", "?")), _model_name(info) if info else "?",
                    accuracy if isinstance(accuracy, (int, float)) else None,
                    _created(folder, info), complete,
                    problem or ("" if complete else "unfinished (checkpoints only)"))


def list_runs(folder: str | Path = RUNS_FOLDER, unfinished: bool = False) -> list[RunEntry]:
    """The runs in `folder`, newest first; with `unfinished`, interrupted runs as well."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder of runs (runs are saved in ./runs unless "
                         f"--out says otherwise)")
    entries = [e for e in map(_entry, sorted(p for p in folder.iterdir() if p.is_dir()))
               if e is not None and (e.complete or unfinished)]
    return sorted(entries, key=lambda e: (e.created, e.path.name), reverse=True)


def resolve_run(text: str | Path, resumable: bool = False) -> Path:
    """A run directory as given, or for `latest` the newest complete run under runs/ (with
    `resumable`: the newest run with checkpoints, finished or not). A folder really named
    `latest` wins."""
    if str(text) != LATEST or Path(text).exists():
        return Path(text)
    entries = list_runs(RUNS_FOLDER, unfinished=resumable) if RUNS_FOLDER.is_dir() else []
    if resumable:
        entries = [e for e in entries if any((e.path / "checkpoints").glob("*.safetensors"))]
    if not entries:
        what = "run with checkpoints" if resumable else "complete run"
        raise InputError(f"{LATEST}: no {what} under {RUNS_FOLDER.resolve()}; give the run "
                         f"directory instead")
    return entries[0].path
