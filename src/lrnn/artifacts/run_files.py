"""The files of a saved run that its report and comparisons are made from, read never through
a link and checked before use (metrics.json against the schema below, history.csv for the
columns the pages draw), with one error naming the file and the field (exit 3)."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import ArtifactError
from .files import read_bytes, require_run_dir
from .json_checks import (anything, check, dict_of, integer, list_of, nullable, number, obj,
                          parse_json, text)
from .model_json import read_info
from .safe_io import shown

MAX_BYTES = 256 << 20
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# history.csv columns that the report's and compare's curves read
HISTORY_NEEDS = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "time_s")

SCORES = obj({"precision": number(), "recall": number(), "f1": number()})
TEST = obj({"n": integer(0), "accuracy": number(0, 1)},
           {"classes": list_of(text()), "balanced_accuracy": number(), "loss": number(),
            "log_loss": number(), "brier": number(), "ece": number(), "ece_bins": integer(1),
            "roc_auc": nullable(number()), "average_precision": nullable(number()),
            "threshold": number(0, 1), "macro": SCORES, "weighted": SCORES,
            "per_class": dict_of(obj({"precision": number(), "recall": number(),
                                      "f1": number(), "support": integer(0)})),
            "confusion_matrix": list_of(list_of(integer(0)))})
DATA = obj({"source": text(), "input": text(), "n_features": integer(0),
            "rows": dict_of(integer(0)), "class_counts": dict_of(list_of(integer(0)))})
METRICS = obj({}, {"test": TEST, "data": DATA, "training": dict_of(anything),
                   "timings": dict_of(number()),
                   "environment": obj({}, {"versions": dict_of(nullable(text()))})})


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


def read(run_dir: str | Path, info: dict | None = None, name: str | None = None,
         scored: dict | None = None) -> RunFiles:
    """`info` and `name` are given for a run being saved: its model.json is not written yet
    and its folder is still the staging one. `scored`: test metrics computed now (`lrnn
    report --data`), shown instead of metrics.json's. An estimator's folder holds model.json
    and the weights only: its settings are the estimator's parameters, and it has no history."""
    run_dir = require_run_dir(Path(run_dir))
    info = info if info is not None else read_info(run_dir)
    if "estimator" in info and not (run_dir / "config.toml").exists():
        section = info["estimator"]
        settings = {"estimator": str(section.get("class", "estimator")),
                    **section.get("params", {})}
        return RunFiles(run_dir=run_dir, info=info, settings=settings,
                        metrics=dict(scored or {}), epochs=[], evals=[],
                        name=name or run_dir.resolve().name)
    metrics = read_metrics(run_dir)
    return RunFiles(run_dir=run_dir, info=info,
                    settings=read_settings(run_dir), metrics=dict(metrics, **(scored or {})),
                    epochs=_rows(run_dir / "history.csv", HISTORY_NEEDS),
                    evals=_rows(run_dir / "evals.csv", None),
                    name=name or run_dir.resolve().name)


def read_settings(run_dir: Path) -> dict:
    """config.toml: the settings the run was trained with."""
    import tomllib

    path = Path(run_dir) / "config.toml"
    try:
        value = tomllib.loads(read_bytes(path, "the run's settings", MAX_BYTES).decode("utf-8"))
    except RecursionError:
        raise ArtifactError(f"{shown(path)}: nested too deeply; expected lrnn's settings") \
            from None
    except (UnicodeDecodeError, ValueError) as exc:  # TOML errors are ValueErrors
        raise ArtifactError(f"{shown(path)}: unreadable ({exc.__class__.__name__}: "
                            f"{exc})") from None
    return value


def read_metrics(run_dir: Path) -> dict:
    """metrics.json, checked against METRICS, its class counts against its classes."""
    path = Path(run_dir) / "metrics.json"
    metrics = parse_json(read_bytes(path, "the run's metrics", MAX_BYTES), shown(path))
    check(metrics, METRICS, shown(path))
    classes = metrics.get("test", {}).get("classes")
    data = metrics.get("data")
    if data and classes is not None:
        for split, counts in data["class_counts"].items():
            if len(counts) != len(classes) or split not in data["rows"]:
                raise ArtifactError(f"{shown(path)}: data.class_counts.{split}: expected one "
                                    f"count per class ({len(classes)}) of a split in "
                                    f"data.rows, found {counts}")
    return metrics


def read_plot(path: Path) -> bytes:
    """A PNG of plots/, never through a link, and a PNG indeed."""
    data = read_bytes(path, "a PNG image", MAX_BYTES)
    if not data.startswith(PNG_MAGIC):
        raise ArtifactError(f"{shown(path)}: not a PNG image; expected lrnn's plot")
    return data


def _rows(path: Path, required: tuple[str, ...] | None) -> list[dict]:
    """The rows of one of lrnn's CSV files as numbers; `required`: the file must exist and
    hold these columns (None: an optional file)."""
    if required is None and not path.exists() and not path.is_symlink():
        return []
    raw = read_bytes(path, "the run's history", MAX_BYTES)
    try:
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8"), newline=""))
        missing = [c for c in required or () if c not in (reader.fieldnames or [])]
        if missing:
            raise ArtifactError(f"{shown(path)}: column {missing[0]}: missing; expected "
                                f"lrnn's columns {', '.join(required)}")
        return [{k: _number(v) for k, v in row.items()} for row in reader]
    except (UnicodeDecodeError, ValueError, TypeError, csv.Error) as exc:
        raise ArtifactError(f"{shown(path)}: unreadable ({exc.__class__.__name__}: "
                            f"{exc})") from None


def _number(text: str | None) -> float:
    return math.nan if text in ("", None) else float(text)
