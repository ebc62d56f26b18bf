"""`lrnn tune --trials 30` against scikit-learn's RandomizedSearchCV with 30 candidates over the
same space, on small tables (BENCHMARKS.md: test accuracy at least RandomizedSearchCV's, in
less wall time); and the MNIST MLP with a 5-minute --timeout (>= 98.4 % test accuracy in best/).

Each side runs as its own process, timed whole (Python start to exit). Both get the same test
rows (lrnn's stratified 20 % split with --seed: 0, or each of --seeds); lrnn chooses on its
validation split, scikit-learn by 5-fold cross-validation on the rest, then refits.
scikit-learn's models sit in the textbook pipeline: impute (median / most frequent), scale,
one-hot encode the text columns. With several --seeds each task is judged on its means over
them (over_splits): the target is read from `--seeds 0 1 2 3 4`.

    python benchmarks/tune.py [--only digits-logreg ...] [--json OUT] [--mnist]
                              [--peer-timeout SECONDS] [--seeds 0 1 2 ...]
    python benchmarks/tune.py --mnist-only        # the long one: run on a quiet machine
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
TRIALS = 30
MNIST_TIMEOUT_S = 300
MNIST_TARGET = 0.984
# The same space on both sides. lrnn's MLP keeps dropout at 0 and the activations that
# scikit-learn has; both stop early on 10 epochs without validation improvement.
LOGREG_SPACE = 'C = { low = 0.001, high = 1000.0, log = true }\n'
MLP_SPACE = """dropout = 0.0
early_stopping = true
patience = 10
hidden_layer_sizes = { layers = { low = 1, high = 3 }, width = { low = 32, high = 512, log = true } }
activation = { choices = ["relu", "tanh"] }
alpha = { low = 1e-06, high = 0.1, log = true }
lr = { low = 0.0001, high = 0.03, log = true }
batch_size = { choices = [32, 64, 128, 256] }
"""


def tables(folder: Path) -> dict[str, list[str]]:
    """lrnn's data flags per dataset; slid's rows without a language are dropped first."""
    slid = folder / "slid_language.csv"
    with open(FIXTURES / "slid.csv", newline="") as f:
        rows = list(csv.reader(f))
    language = rows[0].index("language")
    with open(slid, "w", newline="") as f:
        csv.writer(f).writerows([rows[0]] + [r for r in rows[1:] if r[language] not in
                                             ("", "NA")])
    return {"digits": ["--dataset", "digits"], "breast_cancer": ["--dataset", "breast_cancer"],
            "wine": ["--dataset", "wine"],
            "chile": ["--data", str(FIXTURES / "chile.csv"), "--target", "vote"],
            "slid": ["--data", str(slid), "--target", "language", "--drop", "id"]}


def test_rows(flags: list[str], seed: int = 0) -> list[int]:
    """The rows lrnn holds out for test (its split with `seed`, 20 %)."""
    from lrnn.config import build_config
    from lrnn.data import load
    from lrnn.data.split import split_rows

    settings = {flags[i].lstrip("-").replace("-", "_"): flags[i + 1]
                for i in range(0, len(flags), 2)}
    dataset = load(build_config(settings))
    rows = split_rows(dataset.y, own_test=False, val_fraction=0, test_fraction=0.2, seed=seed)
    return rows.test.tolist()


def timed(command: list[str], cwd: Path, timeout: float | None = None
          ) -> tuple[float, subprocess.CompletedProcess | None]:
    """(wall seconds, the finished process), or (timeout, None) when it ran out of time."""
    start = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                                timeout=timeout)
    except subprocess.TimeoutExpired:
        return timeout, None
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start, result


def run_lrnn(flags: list[str], model: str, out: Path, extra: list[str]) -> dict:
    """`lrnn tune` into its own folder `out` (a study there is one task on one split)."""
    folder = out.parent
    space = folder / f"{model}-space.toml"
    space.write_text(LOGREG_SPACE if model == "logreg" else MLP_SPACE)
    wall, _ = timed([sys.executable, "-m", "lrnn", "tune", *flags, "--model", model,
                     "--space", str(space), "--out", str(out), *extra], folder)
    test = json.loads((out / "best" / "metrics.json").read_text())["test"]
    return {"wall_s": wall, "test_accuracy": test["accuracy"]}


def run_sklearn(flags: list[str], model: str, folder: Path, timeout: float | None,
                seed: int = 0) -> dict:
    spec = folder / f"sklearn-{model}.json"
    spec.write_text(json.dumps({"flags": flags, "model": model,
                                "test_rows": test_rows(flags, seed)}))
    wall, result = timed([sys.executable, str(ROOT / "benchmarks" / "tune_sklearn.py"),
                          str(spec)], folder, timeout)
    if result is None:  # still searching when its time ran out: slower, accuracy unknown
        return {"wall_s": wall, "test_accuracy": None, "timed_out": True}
    return {"wall_s": wall, **json.loads(result.stdout.strip().splitlines()[-1])}


def warm_up(folder: Path) -> None:
    """Not measured: one short search on each side, so that the first task timed does not pay
    for reading torch's, optuna's and scikit-learn's files from disk (a first task ran 1-2 s
    longer than the same task again)."""
    wine = ["--dataset", "wine"]
    timed([sys.executable, "-m", "lrnn", "tune", *wine, "--model", "logreg", "--trials", "2",
           "--out", str(folder / "warm-up")], folder)
    timed([sys.executable, "-c", "import sklearn.model_selection, sklearn.neural_network, "
           "sklearn.linear_model, sklearn.pipeline, sklearn.compose, sklearn.impute, "
           "sklearn.datasets, pandas; sklearn.datasets.load_wine(as_frame=True)"], folder)


def small_tables(only: list[str], folder: Path, peer_timeout: float | None,
                 seeds: list[int]) -> list[dict]:
    rows = []
    warm_up(folder)
    for name, flags in tables(folder).items():
        for model in ("logreg", "mlp"):
            if only and f"{name}-{model}" not in only:
                continue
            for seed in seeds:
                rows.append(compare(name, model, flags, folder, peer_timeout, seed))
    return rows


def compare(name: str, model: str, flags: list[str], folder: Path, peer_timeout: float | None,
            seed: int) -> dict:
    """One task on the split of `seed` (both sides hold out the same test rows)."""
    lrnn = run_lrnn(flags, model, folder / f"lrnn-{name}-{model}-seed{seed}",
                    ["--trials", str(TRIALS), "--seed", str(seed)])
    peer = run_sklearn(flags, model, folder, peer_timeout, seed)
    row = {"task": f"{name}-{model}", "seed": seed, "lrnn_accuracy": lrnn["test_accuracy"],
           "sklearn_accuracy": peer["test_accuracy"], "lrnn_wall_s": lrnn["wall_s"],
           "sklearn_wall_s": peer["wall_s"], "sklearn_timed_out": "timed_out" in peer}
    known = row["sklearn_accuracy"] is not None
    row["met"] = (row["lrnn_accuracy"] >= row["sklearn_accuracy"] if known else None) \
        if row["lrnn_wall_s"] < row["sklearn_wall_s"] else False
    peer_text = f"{row['sklearn_accuracy']:.4f} in {row['sklearn_wall_s']:6.1f} s" \
        if known else f"unfinished after {row['sklearn_wall_s']:.0f} s"
    verdict = {True: "met", False: "MISSED", None: "faster, accuracy unknown"}
    print(f"{row['task']:<22} seed {seed}  lrnn {row['lrnn_accuracy']:.4f} in "
          f"{row['lrnn_wall_s']:6.1f} s   RandomizedSearchCV {peer_text}   "
          f"{verdict[row['met']]}", flush=True)
    return row


def over_splits(rows: list[dict]) -> list[dict]:
    """Each task's means over its splits, judged on them: with a test split of 36 rows
    (wine) one row is 2.8 points, so one split cannot tell two searches apart, and the
    mean over several is the comparison the target means."""
    means = []
    for task in dict.fromkeys(row["task"] for row in rows):
        runs = [row for row in rows if row["task"] == task]
        known = all(row["sklearn_accuracy"] is not None for row in runs)
        mean = {key: sum(row[key] for row in runs) / len(runs)
                for key in ("lrnn_accuracy", "lrnn_wall_s", "sklearn_wall_s")}
        mean["sklearn_accuracy"] = sum(row["sklearn_accuracy"] for row in runs) / len(runs) \
            if known else None
        faster = mean["lrnn_wall_s"] < mean["sklearn_wall_s"]
        met = (mean["lrnn_accuracy"] >= mean["sklearn_accuracy"] if known else None) \
            if faster else False
        means.append({"task": task, "seeds": [row["seed"] for row in runs], **mean, "met": met})
        peer = f"{mean['sklearn_accuracy']:.4f}" if known else "unknown"
        verdict = {True: "met", False: "MISSED", None: "faster, accuracy unknown"}[met]
        print(f"{task:<22} mean of {len(runs)}  lrnn {mean['lrnn_accuracy']:.4f} in "
              f"{mean['lrnn_wall_s']:6.1f} s   RandomizedSearchCV {peer} in "
              f"{mean['sklearn_wall_s']:6.1f} s   {verdict}", flush=True)
    return means


def mnist(folder: Path) -> dict:
    out = folder / "mnist-mlp"
    wall, result = timed([sys.executable, "-m", "lrnn", "tune", "--dataset", "mnist", "--model",
                          "mlp", "--timeout", str(MNIST_TIMEOUT_S), "--out", str(out)], folder)
    test = json.loads((out / "best" / "metrics.json").read_text())["test"]
    trials = sum(1 for _ in open(out / "trials.csv")) - 1
    row = {"task": "mnist-mlp --timeout 300", "test_accuracy": test["accuracy"],
           "trials": trials, "wall_s": wall, "met": test["accuracy"] >= MNIST_TARGET}
    print(f"mnist-mlp --timeout {MNIST_TIMEOUT_S}: best/ test accuracy {row['test_accuracy']:.4f}"
          f" after {trials} trials, {wall:.0f} s in all  {'met' if row['met'] else 'MISSED'}")
    print(result.stdout.strip())
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="tasks like digits-logreg")
    parser.add_argument("--mnist", action="store_true", help="also the MNIST timeout run")
    parser.add_argument("--mnist-only", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--peer-timeout", type=float, default=None, metavar="SECONDS",
                        help="stop a RandomizedSearchCV still searching after this long")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], metavar="SEED",
                        help="splits to run each small table on (lrnn's --seed; the same "
                             "test rows for scikit-learn), each task then judged on its means "
                             "over them; default: 0")
    args = parser.parse_args()
    os.environ.setdefault("LRNN_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    with tempfile.TemporaryDirectory(prefix="lrnn-bench-tune-") as tmp:
        folder = Path(tmp)
        rows = [] if args.mnist_only else small_tables(args.only, folder, args.peer_timeout,
                                                      args.seeds)
        # several splits: each task judged on its means (over_splits), each split listed
        judged = over_splits(rows) if len(args.seeds) > 1 else list(rows)
        if args.mnist or args.mnist_only:
            rows.append(mnist(folder))
            judged.append(rows[-1])
    if args.json:
        args.json.write_text(json.dumps({"splits": rows, "judged": judged}, indent=2)
                             if len(args.seeds) > 1 else json.dumps(rows, indent=2))
    return 0 if all(row["met"] is not False for row in judged) else 1


if __name__ == "__main__":
    sys.exit(main())
