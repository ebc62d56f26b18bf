"""The rule that fills unset settings."""

from __future__ import annotations

from lrnn.config import build_config
from lrnn.config.recipes import MIN_STEPS, RECIPES, resolve


def test_large_data_uses_the_tuned_recipes():
    for model in ("logreg", "mlp"):
        config = resolve(build_config({"model": model}), 54_000)
        for name, value in RECIPES[model].items():
            assert getattr(config, name) == value
    # an MLP on large data trains without dropout, on small data with; a given value wins
    assert resolve(build_config({"model": "mlp"}), 54_000).dropout == 0.0
    assert resolve(build_config({"model": "mlp"}), 1_000).dropout == 0.1
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
    assert resolve(build_config({"model": "mlp"}), 100).alpha == 1e-4
