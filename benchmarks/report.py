"""The benchmark's table on the terminal and the same figures as JSON."""

from __future__ import annotations

import dataclasses
import math
import os
import platform
from datetime import datetime
from importlib import metadata

from benchmarks.results import Summary
from benchmarks.targets import Verdict

LRNN_TRAINING = ("lrnn-logreg", "lrnn-tutorial", "lrnn-mlp")
PEER_TRAINING = ("tutorial", "sklearn-logreg", "sklearn-mlp", "skorch-mlp")
PACKAGES = ("lrnn", "torch", "numpy", "scikit-learn", "skorch", "joblib", "pillow")


def machine() -> dict:
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory, 1),
            "system": platform.platform(), "python": platform.python_version(),
            "packages": {name: version(name) for name in PACKAGES}}


def _num(x: float | None, fmt: str = ".2f", none: str = "-") -> str:
    return none if x is None else format(x, fmt)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.2%}"


def _pct0(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def tasks_table(summaries: dict[str, Summary]) -> list[str]:
    header = (f"{'task':<16}{'runs':>5}{'wall s':>9}{'cpu s':>8}{'to target':>15}"
              f"{'test acc':>10}{'peak MiB':>10}{'others':>8}  what")
    lines = [header, "-" * len(header)]
    for s in summaries.values():
        runs = f"{len(s.repetitions) - s.failures}/{len(s.repetitions)}"
        if s.target is None:
            to_target = "-"
        else:
            to_target = f"{_num(s.time_to_target_s, '.2f', 'never')} @{s.target:.1%}"
        lines.append(f"{s.name:<16}{runs:>5}{_num(s.wall_s):>9}{_num(s.cpu_s, '.1f'):>8}"
                     f"{to_target:>15}{_pct(s.accuracy):>10}{_num(s.max_rss_mib, '.0f'):>10}"
                     f"{_pct0(s.others_cpu_share):>8}  {s.what}")
    return lines


def wall_ratios(summaries: dict[str, Summary]) -> dict[str, dict[str, float]]:
    """Median wall of each lrnn training task over each peer's, in the same run."""
    ratios: dict[str, dict[str, float]] = {}
    for mine in (summaries[n] for n in LRNN_TRAINING if n in summaries):
        for peer in (summaries[n] for n in PEER_TRAINING if n in summaries):
            if mine.wall_s is not None and peer.wall_s:
                ratios.setdefault(mine.name, {})[peer.name] = mine.wall_s / peer.wall_s
    return ratios


def ratios_table(ratios: dict[str, dict[str, float]]) -> list[str]:
    peers = sorted({p for row in ratios.values() for p in row}, key=PEER_TRAINING.index)
    if not peers:
        return []
    lines = [f"{'wall / peer wall':<16}" + "".join(f"{p:>16}" for p in peers)]
    for name, row in ratios.items():
        lines.append(f"{name:<16}" + "".join(f"{_num(row.get(p), '.3f'):>16}" for p in peers))
    return lines


def verdict_lines(verdicts: list[Verdict]) -> list[str]:
    lines = []
    for v in verdicts:
        mark = {True: "PASS", False: "FAIL", None: " -- "}[v.passed]
        value = "" if v.value is None else f"{v.value:.3f} (limit {v.limit:g})  "
        lines.append(f"[{mark}] {v.name:<9} {v.goal}")
        lines.append(f"           {value}{v.measured}")
    return lines


def text(summaries: dict[str, Summary], verdicts: list[Verdict]) -> str:
    ratios = ratios_table(wall_ratios(summaries))
    lines = tasks_table(summaries) + ([""] + ratios if ratios else [])
    return "\n".join(lines + ["", "targets (BENCHMARKS.md):"] + verdict_lines(verdicts))


def _finite(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) or math.isnan(x) else round(x, 4)


def _repetition_json(r) -> dict:
    m = r.measurement
    return {"returncode": m.returncode, "wall_s": _finite(m.wall_s), "cpu_s": _finite(m.cpu_s),
            "max_rss_mib": _finite(m.max_rss_mib), "others_cpu_share": _finite(m.others_cpu_share),
            "test_accuracy": r.outcome.final_accuracy,
            "time_to_target_s": _finite(r.time_to_target_s),
            "train_time_to_target_s": _finite(r.train_time_to_target_s),
            "curve": [[_finite(p.unix_time - m.start_unix), p.accuracy] for p in r.outcome.curve],
            "argv": m.argv, "log": str(m.log)}


def _summary_json(s: Summary) -> dict:
    return {"what": s.what, "target_accuracy": s.target, "median_wall_s": _finite(s.wall_s),
            "median_cpu_s": _finite(s.cpu_s),
            "median_time_to_target_s": _finite(s.time_to_target_s),
            "median_train_time_to_target_s": _finite(s.train_time_to_target_s),
            "reached_target": s.reached, "median_test_accuracy": s.accuracy,
            "max_rss_mib": _finite(s.max_rss_mib), "failures": s.failures,
            "median_others_cpu_share": _finite(s.others_cpu_share),
            "repetitions": [_repetition_json(r) for r in s.repetitions]}


def as_json(summaries: dict[str, Summary], verdicts: list[Verdict], settings: dict) -> dict:
    return {"date": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(), "settings": settings,
            "tasks": {name: _summary_json(s) for name, s in summaries.items()},
            "wall_ratios": {k: {p: round(v, 4) for p, v in row.items()}
                            for k, row in wall_ratios(summaries).items()},
            "targets": [dataclasses.asdict(v) for v in verdicts],
            "all_targets_met": all(v.passed is not False for v in verdicts)}
