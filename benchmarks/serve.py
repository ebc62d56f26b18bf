"""`lrnn serve` against the server a user writes by hand (FastAPI + uvicorn around a
joblib-loaded scikit-learn pipeline, benchmarks/peers/sklearn_serve.py), on an MNIST MLP run
and a CSV run (chile.csv, an MLP): requests/s and p50/p99 latency for 1-row and 100-row
requests from 16 concurrent clients, and the time to answer one 10,000-row CSV request.

    python benchmarks/serve.py [--requests 3000] [--repeats 3] [--json OUT] [--work-dir DIR]

Everything listens on 127.0.0.1 and each load is a fixed number of requests: it stops by
itself. Repetitions are interleaved (lrnn, peer, lrnn, peer, ...) so that a busy spell of the
shared machine falls on both; the CPU time other processes took meanwhile is recorded beside
each figure. Exits 1 when a target of BENCHMARKS.md is missed."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import serve_setup
from benchmarks.http_load import request_bytes, run_load
from benchmarks.serve_setup import Server

CONCURRENCY = 16
TARGET_RATIO = 1.5  # lrnn's requests/s over the peer's, 1-row requests
TARGET_P99_MS = 50.0
TARGET_CSV_S = 1.0
CSV_ROWS = 10_000


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=3000, help="requests per 1-row load; "
                   "100-row loads send a tenth of it (3000)")
    p.add_argument("--repeats", type=int, default=3, help="repetitions of every load (3)")
    p.add_argument("--json", type=Path, default=Path("serve-benchmark.json"))
    p.add_argument("--data-dir", type=Path, default=os.environ.get("LRNN_DATA_DIR"),
                   help="folder holding mnist/ ($LRNN_DATA_DIR)")
    p.add_argument("--work-dir", type=Path, help="runs and models (a new temporary folder)")
    args = p.parse_args(argv)
    if args.data_dir is None or not (args.data_dir / "mnist").is_dir():
        p.error("--data-dir: expected a folder holding mnist/ (or set LRNN_DATA_DIR)")
    return args


def _loads(server: Server, payloads: dict[int, list[bytes]], count: int) -> list[dict]:
    out = []
    for rows, bodies in payloads.items():
        requests = [request_bytes(server.port, body) for body in bodies]
        n = count if rows == 1 else max(count // 10, 50)
        run_load(server.port, requests, min(200, n), CONCURRENCY)  # warm up
        before = serve_setup.cpu_snapshot(server.process.pid)
        result = run_load(server.port, requests, n, CONCURRENCY)
        others = serve_setup.others_share(before, server.process.pid, result.wall_s)
        bad = {s: k for s, k in result.statuses.items() if s != 200}
        if bad or result.requests != n:
            raise SystemExit(f"{server.name}: {result.requests} of {n} answered, statuses {bad}")
        out.append({"rows": rows, "requests": n, "throughput": result.throughput,
                    "p50_ms": result.percentile_ms(50), "p99_ms": result.percentile_ms(99),
                    "others_cpu_share": others})
    return out


def _csv_time(server: Server, body: bytes, times: int = 5) -> float:
    from benchmarks.http_load import one_request

    seconds = []
    for _ in range(times):
        status, answer, took = one_request(server.port, request_bytes(server.port, body,
                                                                      "text/csv"))
        if status != 200 or len(json.loads(answer)["predictions"]) != CSV_ROWS:
            raise SystemExit(f"{server.name}: 10,000-row CSV answered {status}: {answer[:200]}")
        seconds.append(took)
    return statistics.median(seconds)


def measure(setup, args) -> list[dict]:
    records = []
    for repeat in range(args.repeats):
        for task in ("mnist", "csv"):
            for system in ("lrnn", "peer"):
                with setup.start(system, task) as server:
                    for load in _loads(server, setup.payloads[task], args.requests):
                        records.append(dict(load, repeat=repeat, task=task, system=system))
                    if task == "csv":
                        records.append({"repeat": repeat, "task": task, "system": system,
                                        "rows": CSV_ROWS, "csv_s": _csv_time(server,
                                                                              setup.big_csv)})
                print(f"  round {repeat + 1}: {task} {system} done", file=sys.stderr)
    return records


def summarize(records: list[dict]) -> tuple[list[dict], list[str]]:
    """Medians over the repetitions, the ratios, and the targets missed."""
    rows, missed = [], []
    keys = sorted({(r["task"], r["rows"]) for r in records}, key=lambda k: (k[0] != "mnist", k[1]))
    for task, n in keys:
        def median(system, field):
            values = [r[field] for r in records if (r["task"], r["rows"], r["system"]) ==
                      (task, n, system) and field in r]
            return statistics.median(values) if values else None
        row = {"task": task, "rows": n}
        for system in ("lrnn", "peer"):
            for field in ("throughput", "p50_ms", "p99_ms", "csv_s", "others_cpu_share"):
                row[f"{system}_{field}"] = median(system, field)
        if row["lrnn_throughput"] and row["peer_throughput"]:
            row["ratio"] = row["lrnn_throughput"] / row["peer_throughput"]
        rows.append(row)
        if n == 1 and row["ratio"] < TARGET_RATIO:
            missed.append(f"{task} 1-row: {row['ratio']:.2f}x the peer's requests/s "
                          f"(target {TARGET_RATIO}x)")
        if n == 1 and row["lrnn_p99_ms"] > TARGET_P99_MS:
            missed.append(f"{task} 1-row: p99 {row['lrnn_p99_ms']:.1f} ms (target "
                          f"{TARGET_P99_MS:g} ms)")
        if n == CSV_ROWS and row["lrnn_csv_s"] > TARGET_CSV_S:
            missed.append(f"10,000-row CSV: {row['lrnn_csv_s']:.2f} s (target {TARGET_CSV_S} s)")
    return rows, missed


def print_table(rows: list[dict]) -> None:
    def cell(value, fmt):
        return "-" if value is None else format(value, fmt)

    print("| run | rows | lrnn req/s | peer req/s | ratio | lrnn p50 / p99 ms | "
          "peer p50 / p99 ms | others' CPU |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["rows"] == CSV_ROWS:
            print(f"| {r['task']} | 10,000 (one CSV request) | {cell(r['lrnn_csv_s'], '.3f')} s "
                  f"| {cell(r['peer_csv_s'], '.3f')} s | | | | |")
            continue
        print(f"| {r['task']} | {r['rows']} | {r['lrnn_throughput']:.0f} | "
              f"{r['peer_throughput']:.0f} | {r['ratio']:.2f}x | {r['lrnn_p50_ms']:.1f} / "
              f"{r['lrnn_p99_ms']:.1f} | {r['peer_p50_ms']:.1f} / {r['peer_p99_ms']:.1f} | "
              f"{r['lrnn_others_cpu_share']:.0%} / {r['peer_others_cpu_share']:.0%} |")


def main(argv=None) -> int:
    args = parse_args(argv)
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="lrnn-serve-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}; load average before: {os.getloadavg()}", file=sys.stderr)
    setup = serve_setup.Setup.prepare(work, args.data_dir, CSV_ROWS)
    records = measure(setup, args)
    rows, missed = summarize(records)
    print_table(rows)
    args.json.write_text(json.dumps({"records": records, "summary": rows, "missed": missed,
                                     "loadavg_after": os.getloadavg(),
                                     "cpu_count": os.cpu_count()}, indent=2))
    for line in missed:
        print(f"missed: {line}")
    print(f"load average after: {os.getloadavg()}; results in {args.json}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
