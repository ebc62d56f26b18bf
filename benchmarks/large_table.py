"""Peak memory and time of `lrnn train` on a 1,000,000-row x 20-column numeric CSV.

Target (issue 3): training takes at most 3x the memory of the parsed float32 feature matrix
(1e6 x 20 x 4 bytes = 80 MB). What the data costs is measured as the peak resident memory of
the run minus that of the same command on a 1,000-row file with the same columns (Python,
torch, pyarrow and scikit-learn alone take ~400 MB, whatever the data). Each child's own peak
comes from os.wait4.

    python benchmarks/large_table.py [--rows 1000000] [--columns 20] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_RATIO = 3.0


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


def run_measured(args: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in bytes, exit status) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.stderr.write(child.stderr.read().decode())
    return wall, usage.ru_maxrss * 1024, child.returncode


def train(csv: Path, out: Path) -> tuple[float, int, int]:
    return run_measured([sys.executable, "-m", "lrnn", "train", "--data", str(csv), "--target",
                         "y", "--out", str(out), "-q"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lrnn-large-table-"))
    big, small = folder / "big.csv", folder / "small.csv"
    write_csv(big, args.rows, args.columns)
    write_csv(small, 1_000, args.columns, seed=1)
    base_wall, base_rss, base_status = train(small, folder / "run-small")
    wall, rss, status = train(big, folder / "run-big")
    matrix = args.rows * args.columns * 4
    extra = rss - base_rss
    metrics = json.loads((folder / "run-big" / "metrics.json").read_text()) if status == 0 else {}
    result = {
        "rows": args.rows, "columns": args.columns, "csv_bytes": big.stat().st_size,
        "float32_matrix_bytes": matrix, "wall_s": round(wall, 2),
        "peak_rss_bytes": rss, "baseline_peak_rss_bytes": base_rss,
        "data_peak_bytes": extra, "ratio_to_matrix": round(extra / matrix, 3),
        "target_ratio": TARGET_RATIO, "baseline_wall_s": round(base_wall, 2),
        "test_accuracy": metrics.get("test", {}).get("accuracy"),
    }
    print(f"{args.rows:,} x {args.columns} CSV ({big.stat().st_size / 1e6:.0f} MB on disk, "
          f"float32 matrix {matrix / 1e6:.0f} MB): lrnn train {wall:.1f} s, peak RSS "
          f"{rss / 1e6:.0f} MB (baseline {base_rss / 1e6:.0f} MB on 1,000 rows) -> the data "
          f"costs {extra / 1e6:.0f} MB = {extra / matrix:.2f} x the matrix (target <= "
          f"{TARGET_RATIO:g} x); test accuracy {result['test_accuracy']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    ok = status == 0 and base_status == 0 and extra <= TARGET_RATIO * matrix
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
