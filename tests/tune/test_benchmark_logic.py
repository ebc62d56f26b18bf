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
