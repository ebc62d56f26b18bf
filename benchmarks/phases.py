"""Where the time of one `lrnn` command goes: samples its main thread with py-spy (idle time
included, so the figures add up to the wall) and sums the samples by phase of the run.

    python benchmarks/phases.py [--rate HZ] -- lrnn train --dataset mnist --model logreg

py-spy comes with the `bench` extra. Sampling slows the process a little; the shares are what
to read."""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# A frame of py-spy's raw output: "function (path/file.py:line)".
FRAME = re.compile(r"^(?P<function>.+?) \((?P<file>[^():]+):\d+\)$")
# The functions that engine.run() (or the _train() it hands over to) calls, by the step of
# the run they are; any other shows under its own name.
ENGINE_DRIVERS = ("run", "_train", "resume", "_score_and_save")
RUN_STEPS = {
    "prepare": "read and prepare the data", "resolve": "settings", "build": "build the model",
    "Trainer.__init__": "build the model", "_trainer": "build the model",
    "CheckpointWriter.__init__": "build the model", "Trainer.fit": "training",
    "numpy_weights": "final scoring", "model_description": "final scoring",
    "score_test": "final metrics", "describe": "final metrics", "publish": "save the run",
    "RunDir.create": "save the run", "RunDir.close": "save the run",
}
TRAINING_PARTS = {
    "Trainer._step": "steps (forward, backward, optimizer)", "draw_batch": "drawing batches",
    "Trainer.end_epoch": "per-epoch validation + test scoring",
    "EvalPoints.after_step": "--eval-every test scoring",
}
# The figures are drawn by the figure worker (another process, not sampled here) while this
# process writes the other files; what is left is the wait for it, or the figures drawn here
# when there is no worker.
SAVE_PARTS = {"lrnn/reporting/figure_worker.py": "waiting for the figure worker",
              "lrnn/reporting/run_figures.py": "plots drawn in this process",
              "lrnn/reporting/report.py": "HTML report",
              "lrnn/evaluation/test_predictions.py": "predictions file",
              "lrnn/artifacts/tables.py": "CSV files", "lrnn/artifacts/weights.py": "weights"}


def parse(frame: str) -> tuple[str, str]:
    """(function, file) of one frame; file is '' when py-spy gave none."""
    m = FRAME.match(frame)
    return (m["function"], m["file"]) if m else (frame, "")


def imported_package(frames: list[tuple[str, str]]) -> str:
    """The first package other than lrnn whose module body runs below an import."""
    modules = [file for function, file in frames if function == "<module>" and file]
    outside = [m for m in modules if not m.startswith("lrnn/")]
    return (outside or modules or ["?"])[0].split("/")[0].removesuffix(".py")


def phase(stack: str) -> str:
    """One sample's phase, such as 'training: drawing batches' or 'startup: import torch'."""
    frames = [parse(f) for f in stack.split(";") if f]
    if not frames:
        return "interpreter start and exit (no Python frame)"
    label = "startup"
    for i, (function, file) in enumerate(frames):
        if function.startswith("_find_and_load"):
            return f"{label}: import {imported_package(frames[i:])}"
        if file == "lrnn/engine.py" and function in ENGINE_DRIVERS and i + 1 < len(frames):
            label = RUN_STEPS.get(frames[i + 1][0], f"run: {frames[i + 1][0]}")
        elif label.startswith("training") and function in TRAINING_PARTS:
            label = f"training: {TRAINING_PARTS[function]}"
        elif label == "save the run" and file in SAVE_PARTS:
            label = f"save the run: {SAVE_PARTS[file]}"
    return label if label != "startup" else "startup: command line, settings"


def breakdown(raw: str) -> collections.Counter:
    """Samples per phase from py-spy's raw (collapsed) output, main thread only."""
    counts: collections.Counter = collections.Counter()
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if stack.startswith("Thread._bootstrap"):  # helper threads (tqdm's monitor) sleep
            continue
        counts[phase(stack)] += int(n)
    return counts


def table(counts: collections.Counter, rate: float, min_share: float = 0.005) -> str:
    """Phases by time spent; those under `min_share` of the total are added up in one row."""
    total = sum(counts.values())
    small = sum(n for n in counts.values() if n < min_share * total)
    rows = [(name, n) for name, n in counts.most_common() if n >= min_share * total]
    rows += [(f"others, each under {min_share:.1%}", small)] if small else []
    lines = [f"{'phase':<52}{'s':>7}{'share':>8}"]
    for name, n in rows:
        lines.append(f"{name:<52}{n / rate:>7.2f}{n / total:>8.1%}")
    lines.append(f"{'total (sampled wall of the main thread)':<52}{total / rate:>7.2f}")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=int, default=250, help="samples per second (250)")
    p.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to profile")
    args = p.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        p.error("expected a command after --")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.txt"
        subprocess.run(["py-spy", "record", "--idle", "--rate", str(args.rate), "--format",
                        "raw", "--output", str(raw), "--", *command], check=True)
        print(table(breakdown(raw.read_text()), args.rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
