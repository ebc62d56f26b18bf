"""Settings: one name for flag and TOML key, typed parsing, did-you-mean, combinations."""

from __future__ import annotations

from dataclasses import fields

import pytest

from lrnn.cli.parser import build_parser
from lrnn.config import RunConfig, build_config, read_toml
from lrnn.errors import InputError


def test_every_setting_is_a_flag_with_its_default_shown():
    parser = build_parser()
    train = parser._subparsers._group_actions[0].choices["train"]
    flags = {opt: action for action in train._actions for opt in action.option_strings}
    for f in fields(RunConfig):
        action = flags["--" + f.name.replace("_", "-")]
        assert "(default:" in action.help, f.name


def test_toml_values_are_parsed(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('model = "mlp"\nhidden-layer-sizes = [64, 32]\nlr = 0.5\nepochs = 3\n'
                    'early_stopping = true\n')
    values = read_toml(path)
    assert values == {"model": "mlp", "hidden_layer_sizes": (64, 32), "lr": 0.5, "epochs": 3,
                      "early_stopping": True}


@pytest.mark.parametrize("text,message", [
    ("learning_rate = 0.1", "unknown setting 'learning_rate'"),
    ("hiden_layer_sizes = [3]", "did you mean 'hidden_layer_sizes'"),
    ("lr = -1", "lr: expected a number > 0, found -1"),
    ("epochs = 2.5", "epochs: expected an integer >= 1"),
    ("model = 'svm'", "expected one of logreg, mlp"),
    ("lr = ", "not valid TOML"),
])
def test_toml_errors_name_file_and_key(tmp_path, text, message):
    path = tmp_path / "c.toml"
    path.write_text(text + "\n")
    with pytest.raises(InputError, match=message) as err:
        read_toml(path)
    assert str(path) in str(err.value)


@pytest.mark.parametrize("values,message", [
    ({"C": 1.0, "alpha": 1.0}, "set one of them"),
    ({"epochs": 2, "iterations": 5}, "set one of them"),
    ({"early_stopping": True, "val_fraction": 0}, "needs a validation split"),
    ({"momentum": 0.9}, "applies to --optimizer sgd only"),
    ({"optimizer": "lbfgs", "schedule": "cosine"}, "lbfgs takes no schedule"),
    ({"optimizer": "sgd", "nesterov": True}, "needs --optimizer sgd and --momentum > 0"),
    ({"hidden_layer_sizes": "64,0"}, "each an integer from 1 to"),
    ({"threshold": 1.0}, "< 1"),
])
def test_combinations_and_ranges(values, message):
    with pytest.raises(InputError, match=message):
        build_config(values)


def test_strings_and_typed_values_agree():
    assert build_config({"lr": "0.1", "batch_size": "32", "hidden_layer_sizes": "8, 4"}) == \
        build_config({"lr": 0.1, "batch_size": 32, "hidden_layer_sizes": [8, 4]})
