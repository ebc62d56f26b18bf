"""benchmarks/tune.py's own logic (nothing timed): both sides search the same space and score
the same test rows."""

from __future__ import annotations

import csv

import numpy as np

from benchmarks import tune as bench
from benchmarks.tune_sklearn import LayerSizes


def test_scikit_learn_draws_layers_as_lrnn_space_does():
    rng = np.random.RandomState(0)
    drawn = [LayerSizes().rvs(random_state=rng) for _ in range(300)]
    assert {len(sizes) for sizes in drawn} == {1, 2, 3}
    widths = [w for sizes in drawn for w in sizes]
    assert 32 <= min(widths) < 40 and 450 < max(widths) <= 512
    assert '{ low = 1, high = 3 }' in bench.MLP_SPACE and "low = 32, high = 512" in bench.MLP_SPACE


def test_slid_without_a_language_is_dropped_and_test_rows_are_lrnn_split(tmp_path):
    flags = bench.tables(tmp_path)["slid"]
    with open(tmp_path / "slid_language.csv", newline="") as f:
        languages = [row["language"] for row in csv.DictReader(f)]
    assert set(languages) == {"English", "French", "Other"}
    rows = bench.test_rows(flags)
    assert len(rows) == round(0.2 * len(languages)) and len(set(rows)) == len(rows)
    assert bench.test_rows(flags) == rows  # the same rows every time


def _split(task, seed, lrnn, peer, lrnn_s, peer_s):
    return {"task": task, "seed": seed, "lrnn_accuracy": lrnn, "sklearn_accuracy": peer,
            "lrnn_wall_s": lrnn_s, "sklearn_wall_s": peer_s}


def test_several_splits_are_judged_on_each_tasks_means():
    rows = [_split("wine-mlp", 0, 0.9722, 1.0, 7.0, 9.0),  # one row short on this split
            _split("wine-mlp", 1, 1.0, 0.9444, 8.0, 9.0),
            _split("chile-mlp", 0, 0.70, 0.66, 10.0, 60.0),
            _split("chile-mlp", 1, 0.64, 0.66, 10.0, 60.0),  # 0.67 against 0.66: met
            _split("slow", 0, 0.9, 0.8, 12.0, 9.0), _split("slow", 1, 0.9, 0.8, 5.0, 9.0),
            _split("unknown", 0, 0.9, None, 5.0, 900.0), _split("unknown", 1, 0.9, 0.8, 5.0, 9.0)]
    judged = {row["task"]: row for row in bench.over_splits(rows)}
    assert list(judged) == ["wine-mlp", "chile-mlp", "slow", "unknown"]
    wine = judged["wine-mlp"]
    assert wine["seeds"] == [0, 1] and wine["met"] is True
    assert abs(wine["lrnn_accuracy"] - 0.9861) < 1e-9
    assert abs(wine["sklearn_accuracy"] - 0.9722) < 1e-9
    assert wine["lrnn_wall_s"] == 7.5 and wine["sklearn_wall_s"] == 9.0
    assert judged["chile-mlp"]["met"] is True
    assert judged["slow"]["met"] is True  # 12 s on one split, but 8.5 s against 9.0 s
    assert judged["unknown"]["met"] is None and judged["unknown"]["sklearn_accuracy"] is None
    rows[4]["lrnn_wall_s"] = 14.0  # 9.5 s on average against 9.0 s: slower, whatever the accuracy
    assert bench.over_splits(rows)[2]["met"] is False
