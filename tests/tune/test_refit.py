"""best/ refit on the training and validation rows (tune/refit.py): it trains as the best
trial did, only on more rows, and `--no-refit` gives the best trial itself."""

from __future__ import annotations

import csv
import json

from lrnn.config import build_config
from lrnn.config.recipes import SMALL_ROWS, TRAINING_KEYS, resolve
from lrnn.tune.refit import refit_settings
from tests.tune.conftest import CHILE, read_study, tune

KEYS = TRAINING_KEYS + ("dropout", "alpha")


def trained_as(values: dict, n_rows: int) -> dict:
    config = resolve(build_config(values), n_rows)
    return {k: getattr(config, k) for k in KEYS}


def test_an_early_stopped_trial_is_refit_for_its_best_epoch():
    base = {"dataset": "digits", "model": "mlp"}  # the small-data MLP: early stopping on
    extra = refit_settings(base, {"lr": 0.01}, {"best_epoch": 37, "epochs": 57}, 1293, 1438)
    assert extra == {"val_fraction": 0.0, "early_stopping": False, "epochs": 37,
                     "iterations": None}
    refit = resolve(build_config({**base, "lr": 0.01, **extra}), 1438)
    assert not refit.early_stopping and refit.epochs == 37 and refit.val_fraction == 0


def test_settings_the_row_count_would_change_are_pinned_to_the_trials():
    # The trial's split is small (lbfgs recipe), training + validation is not (Adam's): the
    # refit must still train by lbfgs, as the trial did.
    base = {"dataset": "digits", "model": "logreg"}
    extra = refit_settings(base, {"C": 0.5}, {"epochs": 1}, SMALL_ROWS, SMALL_ROWS + 2_000)
    assert extra["optimizer"] == "lbfgs"
    assert trained_as({**base, "C": 0.5, **extra}, SMALL_ROWS + 2_000) == \
        trained_as({**base, "C": 0.5}, SMALL_ROWS)
    # ...and a small table's epochs, which its recipe sets from the row count
    base = {"dataset": "digits", "model": "mlp", "early_stopping": False}
    extra = refit_settings(base, {}, {"epochs": 200}, 1293, 1438)
    assert trained_as({**base, **extra}, 1438) == trained_as(base, 1293)
    assert "epochs" in extra


def test_refit_trains_on_both_splits_and_no_refit_is_the_best_trial(tmp_path):
    rows = {}
    for flag in ("--refit", "--no-refit"):
        out = tmp_path / flag
        # mini-batch trials: scored on the validation split (not cross-validated as L-BFGS's)
        result = tune(*CHILE, "--optimizer", "adam", "--trials", "2", "--seed", "3", flag,
                      "--out", str(out))
        assert result.returncode == 0, result.stderr
        metrics = json.loads((out / "best" / "metrics.json").read_text())
        rows[flag] = metrics["data"]["rows"]
        if flag == "--no-refit":  # the same run as the best trial: the same validation loss
            best = read_study(out).best_trial
            with open(out / "best" / "history.csv", newline="") as f:
                history = list(csv.DictReader(f))
            kept = metrics["training"]["best_epoch"] or len(history)  # early stopping's weights
            assert abs(float(history[kept - 1]["val_loss"]) - best.value) < 1e-4
            assert "trained on the training rows;" in result.stdout
        else:
            assert "trained on the training and validation rows" in result.stdout
    assert rows["--refit"]["train"] == \
        rows["--no-refit"]["train"] + rows["--no-refit"]["validation"]
    assert rows["--refit"]["test"] == rows["--no-refit"]["test"]
    assert "validation" not in rows["--refit"]
