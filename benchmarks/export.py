"""Time of `lrnn export` on the MNIST MLP (the default 784-256-10), and the size of its file.

Targets (the export issue): the export takes at most 2 s, as the command reports it (from its
start: onnx's import, reading the run and the 10,000 test images, building, checking,
writing; Python's own start and lrnn's import come before it, and the whole wall is printed
beside it); the file is at most 1.1 x model.safetensors plus the preprocessing tables. The
best of the repetitions is judged: a capability, not a measure of the neighbours' load.

    LRNN_DATA_DIR=../shared/data python benchmarks/export.py [--run RUN] [--repeats 3] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: benchmarks/ is the folder of this file
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.large_table import child_env  # noqa: E402
from benchmarks.spawn import measure  # noqa: E402

TARGET_S = 2.0
SIZE_RATIO = 1.1
TIMEOUT_S = 600


def lrnn(*args: str, log: Path):
    return measure([sys.executable, "-m", "lrnn", *args], log, env=child_env(), cwd=log.parent,
                   timeout_s=TIMEOUT_S)


def size_bound(run: Path) -> float:
    tables = len(json.dumps(json.loads((run / "model.json").read_text())["preprocessing"]))
    return SIZE_RATIO * (run / "model.safetensors").stat().st_size + tables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, help="an MNIST MLP run (default: one trained first)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lrnn-export-"))
    run = args.run
    if run is None:
        run = folder / "mlp"
        trained = lrnn("train", "--dataset", "mnist", "--model", "mlp", "--quiet", "--out",
                       str(run), log=folder / "train.log")
        if trained.returncode != 0:
            sys.exit(f"training the MLP failed; see {trained.log}")
    reported, walls, out = [], [], folder / "mlp.onnx"
    for n in range(1, args.repeats + 1):
        m = lrnn("export", str(run), "-o", str(out), "--force", log=folder / f"export-{n}.log")
        found = re.search(r" in ([0-9.]+) s;", m.log.read_text())
        if m.returncode != 0 or not found:
            sys.exit(f"lrnn export failed (exit {m.returncode}); see {m.log}")
        reported.append(float(found.group(1)))
        walls.append(m.wall_s)
        print(f"round {n}: lrnn export {reported[-1]:.2f} s reported, whole wall {m.wall_s:.2f} s",
              flush=True)
    size, bound = out.stat().st_size, size_bound(run)
    passed = min(reported) <= TARGET_S and size <= bound
    print(f"[{'PASS' if passed else 'FAIL'}] best {min(reported):.2f} s (limit {TARGET_S:g} s); "
          f"file {size / 1e6:.2f} MB (limit {bound / 1e6:.2f} MB)")
    if args.json:
        args.json.write_text(json.dumps({"reported_s": reported, "wall_s": walls,
                                         "size_bytes": size, "size_limit_bytes": bound,
                                         "target_s": TARGET_S, "passed": passed}, indent=2))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
