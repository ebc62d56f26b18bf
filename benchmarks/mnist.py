"""lrnn against the tools people use today, on MNIST (BENCHMARKS.md).

    python benchmarks/mnist.py [--repeats N] [--device cpu|cuda] [--json OUT] [--only NAMES]

Runs every task in its own process, one after another, the repetitions interleaved (round 1 of
every task, then round 2, ...) so that a slow spell of the shared machine falls on all tasks
alike. Prints the table, writes it as JSON, and exits 1 when a target of BENCHMARKS.md is missed
or a task failed."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report
from benchmarks.results import Repetition, Summary
from benchmarks.spawn import measure, own_max_rss_mib
from benchmarks.targets import judge
from benchmarks.tasks import TASKS, Context, Task

REPO_ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 900


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = [t.name for t in TASKS]
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3, help="repetitions of each task (3)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="cuda: lrnn trains with --device cuda and the torch peers use the GPU")
    p.add_argument("--json", type=Path, default=Path("mnist-benchmark.json"),
                   help="where to write the results (mnist-benchmark.json)")
    p.add_argument("--only", help=f"comma-separated tasks to run, of: {', '.join(names)}")
    p.add_argument("--data-dir", type=Path, default=os.environ.get("LRNN_DATA_DIR"),
                   help="folder holding mnist/ with the four IDX files ($LRNN_DATA_DIR)")
    p.add_argument("--work-dir", type=Path,
                   help="where runs and logs go (a new temporary folder, kept afterwards)")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats: expected an integer >= 1")
    if args.data_dir is None:
        p.error("--data-dir: needed when LRNN_DATA_DIR is not set")
    if not (args.data_dir / "mnist").is_dir():
        p.error(f"--data-dir: expected a folder holding mnist/, found {args.data_dir}")
    selected = names if args.only is None else [n.strip() for n in args.only.split(",")]
    if unknown := [n for n in selected if n not in names]:
        p.error(f"--only: unknown task {', '.join(unknown)}; expected some of {', '.join(names)}")
    args.tasks = [t for t in TASKS if t.name in selected]
    return args


def child_env(ctx: Context) -> dict[str, str]:
    env = dict(os.environ, LRNN_DATA_DIR=str(ctx.data_root))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def prepare(tasks: list[Task], ctx: Context, env: dict[str, str]) -> None:
    """Make the saved models that the predict tasks load (not measured)."""
    ctx.artifacts.mkdir(parents=True, exist_ok=True)
    for task in tasks:
        if task.setup is None:
            continue
        print(f"preparing {task.name} ...", flush=True)
        m = measure(task.setup(ctx), ctx.artifacts / f"{task.name}-setup.log", env=env,
                    cwd=ctx.work, timeout_s=TIMEOUT_S)
        if m.returncode != 0:
            sys.exit(f"preparing {task.name} failed (exit {m.returncode}); see {m.log}")


def run_once(task: Task, round_: int, ctx: Context, env: dict[str, str]) -> Repetition:
    folder = ctx.work / task.name / f"rep-{round_}"
    folder.mkdir(parents=True)
    m = measure(task.command(ctx, folder), folder / "log.txt", env=env, cwd=folder,
                timeout_s=TIMEOUT_S)
    return Repetition(m, task.collect(ctx, folder, m.log), task.target)


def progress_line(name: str, round_: int, r: Repetition) -> str:
    m = r.measurement
    status = "" if r.ok else f"  FAILED (exit {m.returncode}, see {m.log})"
    reached = "" if r.time_to_target_s is None else f"  target at {r.time_to_target_s:.2f} s"
    accuracy = r.outcome.final_accuracy
    return (f"round {round_} {name:<16} wall {m.wall_s:6.2f} s  cpu {m.cpu_s:6.1f} s  "
            f"rss {m.max_rss_mib:5.0f} MiB  acc {'-' if accuracy is None else f'{accuracy:.2%}'}"
            f"{reached}  others {m.others_cpu_share:.0%}{status}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = (args.work_dir or Path(tempfile.mkdtemp(prefix="lrnn-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    ctx = Context(data_root=args.data_dir.resolve(), work=work, device=args.device)
    env = child_env(ctx)
    print(f"work folder {work}", flush=True)
    prepare(args.tasks, ctx, env)

    summaries = {t.name: Summary(t.name, t.what, t.target) for t in args.tasks}
    for round_ in range(1, args.repeats + 1):
        for task in args.tasks:
            repetition = run_once(task, round_, ctx, env)
            summaries[task.name].repetitions.append(repetition)
            print(progress_line(task.name, round_, repetition), flush=True)

    verdicts = judge(summaries, args.device)
    print()
    print(report.text(summaries, verdicts))
    settings = {"repeats": args.repeats, "device": args.device, "data_dir": str(ctx.data_root),
                "work_dir": str(work), "tasks": [t.name for t in args.tasks],
                "harness_max_rss_mib": round(own_max_rss_mib(), 1)}
    args.json.write_text(json.dumps(report.as_json(summaries, verdicts, settings), indent=2))
    print(f"\nwrote {args.json}")
    failed = any(s.failures for s in summaries.values())
    missed = any(v.passed is False for v in verdicts)
    return 1 if failed or missed else 0


if __name__ == "__main__":
    sys.exit(main())
