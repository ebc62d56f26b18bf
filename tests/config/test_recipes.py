"""The rule that fills unset settings."""

from __future__ import annotations

from lrnn.config import build_config
from lrnn.config.recipes import (DEFAULT_PATIENCE, MIN_STEPS, RECIPES, SMALL_MLP, SMALL_PATIENCE,
                                  describe_default, resolve)


def test_large_data_uses_the_tuned_recipes():
    for model in ("logreg", "mlp"):
        config = resolve(build_config({"model": model}), 54_000)
        for name, value in RECIPES[model].items():
            assert getattr(config, name) == value
    # an MLP trains without dropout by default, on large data and on small; a given value wins
    assert resolve(build_config({"model": "mlp"}), 54_000).dropout == 0.0
    assert resolve(build_config({"model": "mlp"}), 1_000).dropout == 0.0
    assert resolve(build_config({"model": "mlp", "dropout": 0.3}), 1_000).dropout == 0.3
    assert resolve(build_config({"model": "mlp", "dropout": 0.3}), 54_000).dropout == 0.3


def test_logreg_on_a_very_large_split_takes_bigger_batches():
    for rows, batch in ((54_000, 512), (65_536, 512), (65_537, 1024), (720_000, 8192)):
        assert resolve(build_config({}), rows).batch_size == batch
    assert resolve(build_config({"batch_size": 100}), 720_000).batch_size == 100
    assert resolve(build_config({"optimizer": "adam"}), 720_000).batch_size == 128
    assert resolve(build_config({"model": "mlp"}), 720_000).batch_size == 256


def test_small_logreg_is_exact_lbfgs():
    config = resolve(build_config({}), 1_000)
    assert config.optimizer == "lbfgs" and config.batch_size is None


def test_naming_the_optimizer_gives_its_plain_settings():
    config = resolve(build_config({"optimizer": "sgd", "lr": 0.001, "batch_size": 100,
                                   "iterations": 3000}), 54_000)
    assert (config.lr, config.momentum, config.schedule, config.batch_size) == (0.001, 0.0,
                                                                                 "none", 100)
    assert config.iterations == 3000 and config.epochs is None


def test_small_data_gets_enough_steps():
    config = resolve(build_config({"model": "mlp"}), 400)
    assert config.epochs * -(-400 // config.batch_size) >= MIN_STEPS
    assert resolve(build_config({"model": "mlp", "epochs": 3}), 400).epochs == 3


def test_C_is_inverse_alpha():
    assert resolve(build_config({"C": 4.0}), 100).alpha == 0.25
    assert resolve(build_config({}), 100).alpha == 1.0
    assert resolve(build_config({"model": "mlp"}), 54_000).alpha == 1e-4
    small = resolve(build_config({"model": "mlp"}), 100)
    assert (small.alpha, small.dropout) == (SMALL_MLP["alpha"], SMALL_MLP["dropout"])
    assert resolve(build_config({"model": "mlp", "C": 2.0}), 100).alpha == 0.5


def test_the_small_data_mlp_stops_on_validation():
    config = resolve(build_config({"model": "mlp"}), 1_800)
    assert config.early_stopping and config.patience == SMALL_PATIENCE
    for given in ({"epochs": 30}, {"iterations": 500}, {"optimizer": "adam"},
                  {"val_fraction": 0}, {"early_stopping": False}):
        other = resolve(build_config({"model": "mlp", **given}), 1_800)
        assert other.early_stopping is False and other.patience == DEFAULT_PATIENCE, given
    assert not resolve(build_config({"model": "mlp"}), 54_000).early_stopping  # MNIST: as it was
    assert not resolve(build_config({}), 1_800).early_stopping  # logreg: exact L-BFGS
    chosen = resolve(build_config({"model": "mlp", "patience": 3}), 1_800)
    assert chosen.early_stopping and chosen.patience == 3
    forced = resolve(build_config({"model": "mlp", "epochs": 30, "early_stopping": True}), 1_800)
    assert forced.early_stopping and forced.patience == DEFAULT_PATIENCE


def test_help_states_the_rule():
    epochs = describe_default("epochs", None)
    assert f"enough epochs for {MIN_STEPS:,} steps" in epochs and "stopped early" in epochs
    assert "20,000 training rows" in describe_default("early_stopping", None)
    assert describe_default("patience", None) == f"{SMALL_PATIENCE} in that mlp recipe, else " \
                                                 f"{DEFAULT_PATIENCE}"
