"""`lrnn train` on a 1,000,000-row x 20-column numeric CSV: its whole wall against
scikit-learn's textbook pipeline on the same file, and the memory the data costs it.

Targets:
- speed (issue 16): lrnn's median whole wall (Python start to exit, every file of the run
  written) <= 0.6 x that of scikit-learn's textbook pipeline (benchmarks/peers/sklearn_table.py:
  pandas read, 80/20 split, median impute + scale, LogisticRegression), the repetitions
  interleaved, in one run of this script;
- memory (issue 3): training takes at most 3x the memory of the parsed float32 feature matrix
  (1e6 x 20 x 4 bytes = 80 MB): the peak resident memory of the run minus that of the same
  command on a 1,000-row file with the same columns (Python, torch and pyarrow alone take
  ~400 MB, whatever the data). Each child's own peak comes from os.wait4.

    python benchmarks/large_table.py [--rows 1000000] [--columns 20] [--repeats 3] [--json OUT]

Exits 1 when a target is missed or a run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.peers.common import read_reports
from benchmarks.spawn import Measurement, measure

MEMORY_RATIO = 3.0
SPEED_RATIO = 0.6
TIMEOUT_S = 900
REPO_ROOT = Path(__file__).resolve().parent.parent


def write_csv(path: Path, rows: int, columns: int, seed: int = 0) -> None:
    """Gaussian features; the label is a noisy linear rule of them, so there is something to
    learn."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, columns)).astype(np.float32)
    w = rng.normal(size=columns)
    y = (X @ w + rng.normal(scale=2.0, size=rows) > 0).astype(np.int64)
    table = pa.table({**{f"x{j}": X[:, j] for j in range(columns)}, "y": y})
    pcsv.write_csv(table, path)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def lrnn(csv: Path, out: Path) -> Measurement:
    return measure([sys.executable, "-m", "lrnn", "train", "--data", str(csv), "--target", "y",
                    "--out", str(out), "-q"], out.with_suffix(".log"), env=child_env(),
                   cwd=out.parent, timeout_s=TIMEOUT_S)


def sklearn(csv: Path, log: Path) -> Measurement:
    return measure([sys.executable, "-m", "benchmarks.peers.sklearn_table", str(csv),
                    "--target", "y"], log, env=child_env(), cwd=log.parent, timeout_s=TIMEOUT_S)


def accuracy_of_lrnn(out: Path) -> float | None:
    metrics = out / "metrics.json"
    return json.loads(metrics.read_text())["test"]["accuracy"] if metrics.exists() else None


def accuracy_of_peer(log: Path) -> float | None:
    finals = [r["test_accuracy"] for r in read_reports(log.read_text(errors="replace"))
              if r.get("final")]
    return finals[-1] if finals else None


def speed(folder: Path, big: Path, repeats: int) -> dict:
    """Whole walls of lrnn and the peer, interleaved; medians and their ratio."""
    walls: dict[str, list[float]] = {"lrnn": [], "sklearn": []}
    accuracy: dict[str, float | None] = {}
    failed = False
    for n in range(1, repeats + 1):
        mine = lrnn(big, folder / f"run-big-{n}")
        theirs = sklearn(big, folder / f"sklearn-{n}.log")
        failed |= mine.returncode != 0 or theirs.returncode != 0
        walls["lrnn"].append(mine.wall_s)
        walls["sklearn"].append(theirs.wall_s)
        accuracy = {"lrnn": accuracy_of_lrnn(folder / f"run-big-{n}"),
                    "sklearn": accuracy_of_peer(theirs.log)}
        print(f"round {n}: lrnn {mine.wall_s:.2f} s (cpu {mine.cpu_s:.1f} s, others "
              f"{mine.others_cpu_share:.0%}), scikit-learn {theirs.wall_s:.2f} s (cpu "
              f"{theirs.cpu_s:.1f} s, others {theirs.others_cpu_share:.0%})", flush=True)
    medians = {name: statistics.median(w) for name, w in walls.items()}
    ratio = medians["lrnn"] / medians["sklearn"]
    return {"walls_s": walls, "median_wall_s": medians, "test_accuracy": accuracy,
            "ratio": round(ratio, 3), "target_ratio": SPEED_RATIO,
            "passed": not failed and ratio <= SPEED_RATIO}


def memory(folder: Path, big: Path, small: Path, rows: int, columns: int) -> dict:
    base = lrnn(small, folder / "run-small")
    run = lrnn(big, folder / "run-memory")
    matrix = rows * columns * 4
    extra = (run.max_rss_kib - base.max_rss_kib) * 1024
    return {"float32_matrix_bytes": matrix, "peak_rss_bytes": run.max_rss_kib * 1024,
            "baseline_peak_rss_bytes": base.max_rss_kib * 1024, "data_peak_bytes": extra,
            "ratio_to_matrix": round(extra / matrix, 3), "target_ratio": MEMORY_RATIO,
            "passed": run.returncode == 0 and base.returncode == 0
            and extra <= MEMORY_RATIO * matrix}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lrnn-large-table-"))
    big, small = folder / "big.csv", folder / "small.csv"
    write_csv(big, args.rows, args.columns)
    write_csv(small, 1_000, args.columns, seed=1)
    print(f"{args.rows:,} x {args.columns} CSV, {big.stat().st_size / 1e6:.0f} MB: {folder}",
          flush=True)
    result = {"rows": args.rows, "columns": args.columns, "csv_bytes": big.stat().st_size,
              "speed": speed(folder, big, args.repeats),
              "memory": memory(folder, big, small, args.rows, args.columns)}
    s, m = result["speed"], result["memory"]
    print(f"[{'PASS' if s['passed'] else 'FAIL'}] speed: lrnn whole wall "
          f"{s['median_wall_s']['lrnn']:.2f} s / scikit-learn's pipeline "
          f"{s['median_wall_s']['sklearn']:.2f} s = {s['ratio']:.3f} (limit {SPEED_RATIO}); "
          f"test accuracy {s['test_accuracy']['lrnn']} / {s['test_accuracy']['sklearn']}")
    print(f"[{'PASS' if m['passed'] else 'FAIL'}] memory: the data costs "
          f"{m['data_peak_bytes'] / 1e6:.0f} MB = {m['ratio_to_matrix']:.2f} x the float32 "
          f"matrix (limit {MEMORY_RATIO:g} x); peak {m['peak_rss_bytes'] / 1e6:.0f} MB, "
          f"baseline {m['baseline_peak_rss_bytes'] / 1e6:.0f} MB on 1,000 rows")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if s["passed"] and m["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
