"""The files of a saved run that its report and comparisons are made from, read with one
error naming the file when one is missing or unreadable (exit 3)."""

from __future__ import annotations

import csv
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArtifactError, InputError
from .files import require_run_dir
from .model_json import read_info


@dataclass(frozen=True)
class RunFiles:
    run_dir: Path
    info: dict  # model.json
    settings: dict  # config.toml
    metrics: dict  # metrics.json
    epochs: list[dict]  # history.csv rows, numbers as floats (NaN where not measured)
    evals: list[dict]  # evals.csv rows ([] without --eval-every)
    name: str  # the run's folder name

    @property
    def plots(self) -> list[Path]:
        return sorted((self.run_dir / "plots").glob("*.png"))


def read(run_dir: str | Path, info: dict | None = None, name: str | None = None) -> RunFiles:
    """`info` and `name` are given for a run being saved: its model.json is not written yet
    and its folder is still the staging one."""
    run_dir = require_run_dir(Path(run_dir))
    info = info if info is not None else read_info(run_dir)
    if "estimator" in info and not (run_dir / "config.toml").exists():
        raise InputError(f"{run_dir}: saved by {info['estimator'].get('class', 'an estimator')}"
                         f".save(), it holds the model only: no test scores, curves or plots "
                         f"to report; score it with lrnn evaluate {run_dir} --data FILE "
                         f"--target COLUMN")
    return RunFiles(run_dir=run_dir, info=info,
                    settings=read_settings(run_dir),
                    metrics=_parsed(run_dir / "metrics.json", json.loads),
                    epochs=_rows(run_dir / "history.csv", required=True),
                    evals=_rows(run_dir / "evals.csv", required=False),
                    name=name or run_dir.resolve().name)


def read_settings(run_dir: Path) -> dict:
    """config.toml: the settings the run was trained with."""
    return _parsed(Path(run_dir) / "config.toml", tomllib.loads)


def _parsed(path: Path, parse) -> dict:
    try:
        value = parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{path}: missing; is {path.parent} a run directory?") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # TOML and JSON errors are ValueErrors
        raise ArtifactError(f"{path}: unreadable ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(value, dict):
        raise ArtifactError(f"{path}: expected an object, found {type(value).__name__}")
    return value


def _rows(path: Path, required: bool) -> list[dict]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    except FileNotFoundError:
        if required:
            raise ArtifactError(f"{path}: missing; is {path.parent} a run directory?") from None
        return []
    except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise ArtifactError(f"{path}: unreadable ({exc.__class__.__name__}: {exc})") from None
