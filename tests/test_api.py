"""The Python front (lrnn/__init__.py): lrnn.train's signature is RunConfig's, a DataFrame
trains as the CSV it came from, errors never print the frame, and runs and predictors say what
they are."""

from __future__ import annotations

import inspect
import json
import pydoc
from dataclasses import MISSING, fields
from pathlib import Path

import pandas as pd
import pytest

import lrnn
from lrnn.config import RunConfig
from lrnn.errors import InputError
from tests.conftest import lrnn_cli

CHILE = Path(__file__).parent / "fixtures" / "chile.csv"
PATHS = {"data", "test_data", "data_dir", "out"}  # settings that take a path object too


def test_train_has_the_settings_of_lrnn_train_as_keywords():
    parameters = inspect.signature(lrnn.train).parameters
    settings = fields(RunConfig)
    assert list(parameters) == [f.name for f in settings] + ["quiet"]
    for f in settings:
        parameter = parameters[f.name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default == (f.default if f.default is not MISSING else None), f.name
        if f.name in PATHS:
            assert parameter.annotation.replace(" | os.PathLike", "").replace(
                " | DataFrame", "") == f.type, f.name
        else:
            assert parameter.annotation == f.type, f.name
    assert parameters["quiet"].default is False
    shown = pydoc.render_doc(lrnn.train, renderer=pydoc.plaintext)
    assert "hidden_layer_sizes: 'tuple[int, ...]' = (256,)" in shown and "quiet" in shown


@pytest.fixture(scope="module")
def chile_runs(tmp_path_factory):
    """The chile table trained from its file and from the DataFrame pandas reads from it."""
    folder = tmp_path_factory.mktemp("api")
    from_file = lrnn.train(data=CHILE, target="vote", out=folder / "file", plots=False,
                           quiet=True)
    frame = pd.read_csv(CHILE)
    from_frame = lrnn.train(data=frame, target="vote", out=folder / "frame", plots=False,
                            quiet=True)
    return from_file, from_frame


def test_a_dataframe_trains_as_its_file(chile_runs, capsys):
    from_file, from_frame = chile_runs
    assert capsys.readouterr().out == ""  # quiet=True
    assert from_frame.metrics["test"] == from_file.metrics["test"]
    info = [json.loads((run.run_dir / "model.json").read_text()) for run in chile_runs]
    assert info[0]["preprocessing"] == info[1]["preprocessing"]
    assert info[0]["column_typing"] == info[1]["column_typing"]
    assert info[1]["dataset"] == "dataframe" and from_frame.config.data == "(DataFrame)"


def test_a_dataframe_run_is_evaluated_on_a_file(chile_runs):
    _, from_frame = chile_runs
    bare = lrnn_cli("evaluate", str(from_frame.run_dir))
    assert bare.returncode == 2 and "trained on a pandas DataFrame" in bare.stderr
    on_file = lrnn_cli("evaluate", str(from_frame.run_dir), "--data", str(CHILE))
    assert on_file.returncode == 0, on_file.stderr
    assert f"({len(pd.read_csv(CHILE)):,} rows)" in on_file.stdout


def test_errors_name_the_frame_never_print_it():
    frame = pd.read_csv(CHILE)
    with pytest.raises(InputError, match="needs --target") as missing:
        lrnn.train(data=frame)
    with pytest.raises(InputError) as wrong_place:
        lrnn.train(data=CHILE, target="vote", test_data=frame)
    assert str(wrong_place.value) == "test_data: expected a non-empty text, found a " \
                                     "pandas.DataFrame"
    for error in (missing, wrong_place):
        assert len(str(error.value)) < 120 and "175000" not in str(error.value)
    mixed = pd.DataFrame({"a": [1, "x", 2.5] * 10, "y": ["p", "q", "p"] * 10})
    with pytest.raises(InputError, match="column 'a': expected numbers, text"):
        lrnn.train(data=mixed, target="y")


def test_reprs_say_what_a_run_and_a_predictor_are(chile_runs):
    from_file, _ = chile_runs
    accuracy = from_file.metrics["test"]["accuracy"]
    assert repr(from_file) == (f"Run(run_dir={str(from_file.run_dir)!r}, model='logreg', "
                               f"data='chile', epochs={len(from_file.history.epochs)}, "
                               f"test_accuracy={accuracy:.4f})")
    predictor = lrnn.load(from_file.run_dir)
    assert repr(predictor) == (f"Predictor({str(from_file.run_dir)!r}, model='logreg', "
                               f"inputs='7 columns', classes=['A', 'N', 'U', 'Y'])")
