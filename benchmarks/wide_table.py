"""Time of `lrnn train` on a wide table: 300 rows x 10,000 numeric columns.

Target (issue 21): a wide table loads in time linear in its size; 10,000 columns cost seconds,
not minutes (a list lookup per column made it ~2 minutes: quadratic in the columns). What the
width costs is the wall time of the run minus that of the same command on a table of the same
rows and 10 columns (Python, torch, pyarrow and the plots take their time whatever the width).

    python benchmarks/wide_table.py [--rows 300] [--columns 10000] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: benchmarks/ is the folder of this file
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.large_table import lrnn, write_csv  # noqa: E402

TARGET_EXTRA_S = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--columns", type=int, default=10_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lrnn-wide-table-"))
    wide, narrow = folder / "wide.csv", folder / "narrow.csv"
    write_csv(wide, args.rows, args.columns)
    write_csv(narrow, args.rows, 10, seed=1)
    base, run = lrnn(narrow, folder / "run-narrow"), lrnn(wide, folder / "run-wide")
    base_wall, base_status = base.wall_s, base.returncode
    wall, rss, status = run.wall_s, run.max_rss_kib * 1024, run.returncode
    extra = wall - base_wall
    result = {"rows": args.rows, "columns": args.columns, "csv_bytes": wide.stat().st_size,
              "wall_s": round(wall, 2), "baseline_wall_s": round(base_wall, 2),
              "extra_s": round(extra, 2), "target_extra_s": TARGET_EXTRA_S,
              "peak_rss_bytes": rss}
    print(f"{args.rows:,} x {args.columns:,} CSV ({wide.stat().st_size / 1e6:.0f} MB): lrnn train "
          f"{wall:.1f} s, {base_wall:.1f} s with 10 columns -> the width costs {extra:.1f} s "
          f"(target <= {TARGET_EXTRA_S:g} s); peak RSS {rss / 1e6:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if status == 0 and base_status == 0 and extra <= TARGET_EXTRA_S else 1


if __name__ == "__main__":
    sys.exit(main())
