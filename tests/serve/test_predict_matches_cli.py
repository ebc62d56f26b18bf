"""POST /predict on the real server answers what `lrnn predict` writes for the same rows: the
MNIST MLP on 1,000 test images, and a CSV run on rows with gaps and unseen categories, sent
as JSON rows and as a text/csv body, warnings included."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from lrnn.data.idx.format import read_images
from lrnn.predict import Predictor
from tests.conftest import lrnn_cli

IMAGES = 1000
# lrnn predict writes 6 significant digits (rounding: up to 5e-6 relative), and computes in
# float32 on batches of another size than one request's, which moves a probability by up to a
# few float32 steps more (6.6e-6 relative seen on 4 of 10,000 MNIST values)
PROBABILITY_TOLERANCE = 2e-5


def read_predictions(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def cli_predictions(run, inputs, tmp_path):
    out = tmp_path / "cli.csv"
    result = lrnn_cli("predict", str(run), str(inputs), "-o", str(out))
    assert result.returncode == 0, result.stderr
    warnings = [line.split(": ", 3)[-1] for line in result.stderr.splitlines()
                if line.startswith("lrnn: warning:")]
    return read_predictions(out), warnings


def assert_same(answer, rows, classes):
    assert [p["label"] for p in answer] == [r["prediction"] for r in rows]
    ours = np.array([[p["probabilities"][c] for c in classes] for p in answer])
    theirs = np.array([[float(r[f"proba_{c}"]) for c in classes] for r in rows])
    np.testing.assert_allclose(ours, theirs, rtol=PROBABILITY_TOLERANCE, atol=1e-12)


def test_mnist_images_as_lrnn_predict(serving, mnist_mlp_run, mnist_dir, tmp_path):
    images = read_images(mnist_dir / "t10k-images-idx3-ubyte.gz")[:IMAGES]
    np.save(tmp_path / "images.npy", images)
    rows, warnings = cli_predictions(mnist_mlp_run, tmp_path / "images.npy", tmp_path)
    server = serving(mnist_mlp_run)
    status, _, answer = server.post_json({"instances": images.tolist()})
    assert status == 200, answer
    classes = [str(d) for d in range(10)]
    assert_same(answer["predictions"], rows, classes)
    assert answer["warnings"] == warnings == []
    # every bit: the same numpy path in this process, with the server's one BLAS thread (the
    # threads' split of a matrix product moves float32 sums in their last bits)
    with threadpool_limits(limits=1):
        expected = Predictor.load(mnist_mlp_run).predict_proba(images)
    ours = np.array([[p["probabilities"][c] for c in classes] for p in answer["predictions"]])
    np.testing.assert_array_equal(ours, expected)
    accuracy = np.mean([p["label"] == r["prediction"] for p, r in zip(answer["predictions"],
                                                                        rows)])
    assert accuracy == 1.0
    # flat lists of 784 values are the same images. Compared with the same 20 images sent as
    # 28x28 lists, not with the first 20 answers above: how OpenBLAS blocks a product's rows
    # depends on their count and on the CPU, so 20 rows alone and the first 20 of 1,000 may
    # differ in their last bits (on an AMD EPYC host rows 12-19 did, with any lrnn version)
    status, _, flat = server.post_json({"instances": images[:20].reshape(20, -1).tolist()})
    status_shaped, _, shaped = server.post_json({"instances": images[:20].tolist()})
    assert status == status_shaped == 200 and flat["predictions"] == shaped["predictions"]
    assert [p["label"] for p in flat["predictions"]] == \
        [p["label"] for p in answer["predictions"][:20]]


def json_rows(path):
    """The CSV's rows as a JSON client sends them: numbers as numbers, empty cells null."""
    from benchmarks.serve_setup import json_cell

    with open(path, newline="") as f:
        return [{k: json_cell(v) for k, v in row.items()} for row in csv.DictReader(f)]


@pytest.mark.parametrize("body", ["json rows", "csv body"])
def test_csv_run_with_gaps_and_unseen_categories(serving, chile_run, chile_files, tmp_path,
                                                 body):
    predict_csv = chile_files[1]
    rows, warnings = cli_predictions(chile_run, predict_csv, tmp_path)
    assert any("not seen in training (such as 'Atlantis')" in w for w in warnings), warnings
    assert any("column 'age':" in w and "missing values" in w for w in warnings), warnings
    server = serving(chile_run)
    if body == "json rows":
        status, _, answer = server.post_json({"instances": json_rows(predict_csv)})
    else:
        status, _, answer = server.call("POST", "/predict", predict_csv.read_bytes(),
                                        {"Content-Type": "text/csv"})
    assert status == 200, answer
    classes = Predictor.load(chile_run).classes
    assert_same(answer["predictions"], rows, classes)
    assert sorted(answer["warnings"]) == sorted(warnings)


def test_json_rows_typed_as_the_csv_reader_types_them(serving, chile_run, chile_files):
    """Cells the reader types itself (numbers in quotes, "NA", spaces, numbers for a category
    of numbers) give the same answer as the plain form of the same row."""
    server = serving(chile_run)
    plain = json_rows(chile_files[1])[:3]
    odd = [dict(r) for r in plain]
    odd[0].update(age=str(odd[0]["age"]), region=f" {odd[0]['region']} ")
    odd[1].update(income="NA" if odd[1]["income"] is None else str(odd[1]["income"]))
    odd[2].update(population=float(odd[2]["population"]), statusquo=str(odd[2]["statusquo"]))
    answers = [server.post_json({"instances": rows})[2] for rows in (plain, odd)]
    assert answers[0]["predictions"] == answers[1]["predictions"]
    # a missing key is a missing value, like an empty cell
    row = dict(plain[0])
    del row["statusquo"]
    left_out = server.post_json({"instances": [row]})[2]
    nulled = server.post_json({"instances": [dict(plain[0], statusquo=None)]})[2]
    assert left_out["predictions"] == nulled["predictions"]
    assert "columns in no row, taken as missing values: statusquo" in left_out["warnings"]


def test_estimator_run_is_served(serving, tmp_path):
    """A run saved by lrnn.LogisticRegression (preprocessing "matrix") answers as the
    estimator's own predict_proba."""
    from sklearn.datasets import load_iris

    import lrnn

    data = load_iris(as_frame=True)
    X = data.frame.drop(columns="target")
    model = lrnn.LogisticRegression(max_iter=200).fit(X, data.target)
    model.save(tmp_path / "iris")
    server = serving(tmp_path / "iris")
    status, _, answer = server.post_json({"instances": X.iloc[:30].to_dict("records")})
    assert status == 200, answer
    expected = model.predict_proba(X.iloc[:30])
    ours = np.array([[p["probabilities"][str(c)] for c in model.classes_]
                     for p in answer["predictions"]])
    np.testing.assert_allclose(ours, expected, rtol=1e-12)
    assert [p["label"] for p in answer["predictions"]] == [str(c) for c in
                                                           model.predict(X.iloc[:30])]
    status, _, refused = server.post_json({"instances": [dict(X.iloc[0], **{
        "sepal length (cm)": None})]})
    assert status == 422 and "sepal length (cm)" in refused["error"]


def test_json_typing_equals_the_readers(chile_run, chile_files):
    """In this process: the features of JSON rows are those of the same rows read from the
    CSV, bit for bit, whether the cells come as numbers or all as text (then the reader types
    them), with their warnings."""
    from lrnn.serve.model import ServedModel
    from lrnn.serve.table_input import BODY, ROWS, csv_table, json_table, table_features

    model = ServedModel.load(chile_run)
    expected_warnings: list[str] = []
    expected = table_features(model, csv_table(chile_files[1].read_bytes()), BODY,
                              expected_warnings)
    typed = json_rows(chile_files[1])
    as_text = [{k: None if v is None else str(v) for k, v in row.items()} for row in typed]
    for rows in (typed, as_text):
        warnings: list[str] = []
        features = table_features(model, json_table(model, rows, warnings), ROWS, warnings)
        np.testing.assert_array_equal(features, expected)
        assert sorted(warnings) == sorted(expected_warnings)


def test_rows_answered_together_as_alone(chile_run, chile_files):
    """Requests that arrive together have their rows encoded in one pass: the same bytes as
    each answered alone, warnings included (rows 0-39 have unseen values and gaps)."""
    import orjson

    from lrnn.serve.model import ServedModel
    from lrnn.serve.predicting import answer, answer_together, read
    from lrnn.serve.table_input import encode_together

    model = ServedModel.load(chile_run)
    rows = json_rows(chile_files[1])[:80]
    requests = [(orjson.dumps({"instances": rows[i:i + 1 + i % 3]}), "application/json", 100)
                for i in range(0, 80, 2)]
    alone = [answer(model, *request) for request in requests]
    assert answer_together(model, requests) == alone
    clean = requests[20:]
    readings = [read(model, *request) for request in clean]
    encode_together(model, readings)
    assert all(r.X is not None for r in readings)  # one pass did encode them
    assert answer_together(model, clean) == alone[20:]
    assert any(orjson.loads(a)["warnings"] for a in alone[:20])
