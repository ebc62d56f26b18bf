"""Every bad request gets its 4xx (or 503) and a one-line JSON {"error": ...} naming the row,
column or field, and the server goes on answering /health and good requests."""

from __future__ import annotations

import json
import socket

import pytest

from tests.serve.conftest import start_server, stop

JSON = {"Content-Type": "application/json"}
CSV = {"Content-Type": "text/csv"}
MAX_BODY = 200_000
MAX_ROWS = 50


def _image(value=0, rows=28, cols=28):
    return [[value] * cols for _ in range(rows)]


def _nested(depth: int) -> bytes:
    return b'{"instances": ' + b"[" * depth + b"0" + b"]" * depth + b"}"


ROW = {"region": "N", "population": 175000, "sex": "M", "age": 65, "education": "P",
       "income": 35000, "statusquo": 1.0082}

TABLE_CASES = {
    "malformed JSON": (JSON, b'{"instances": [', 400, "request body: not valid JSON"),
    "not an object": (JSON, b"[1, 2]", 400, "expected a JSON object"),
    "unknown field": (JSON, b'{"rows": []}', 400, "field 'rows': not known"),
    "no instances": (JSON, b"{}", 400, "field 'instances': missing"),
    "instances not a list": (JSON, b'{"instances": {"a": 1}}', 422,
                             "field 'instances': expected a list"),
    "empty list": (JSON, b'{"instances": []}', 422, "expected at least one row"),
    "row not an object": (JSON, b'{"instances": [[1, 2]]}', 422,
                          "instances[0]: expected an object of column values, found a list"),
    "wrong type": (JSON, json.dumps({"instances": [ROW, dict(ROW, age=[65])]}).encode(), 422,
                   "instances[1], column 'age': expected a number, found a list"),
    "text in a number column": (JSON, json.dumps({"instances": [ROW, ROW, dict(
        ROW, age="sixty")]}).encode(), 422, "instances[2], column 'age': expected a number, "
                                            "found 'sixty'"),
    "true in a number column": (JSON, json.dumps({"instances": [dict(ROW, age=True)]}).encode(),
                                422, "instances[0], column 'age': expected a number, found True"),
    "object as a category": (JSON, json.dumps({"instances": [dict(ROW, sex={"a": 1})]}).encode(),
                             422, "instances[0], column 'sex': expected a category"),
    "non-finite number": (JSON, b'{"instances": [{"age": 1e999}]}', 400, "infinity"),
    "NaN literal": (JSON, b'{"instances": [{"age": NaN}]}', 400, "not valid JSON"),
    "non-finite number as text": (JSON, json.dumps({"instances": [dict(ROW, age="inf")]}).encode(),
                                  422, "column 'age': expected a finite number, found inf"),
    "deep nesting": (JSON, _nested(5000), 400, "request body: not valid JSON ("),
    "missing CSV columns": (CSV, b"region,sex\nN,M\n", 422,
                            "request body: missing columns population, age"),
    "CSV row with a field too many": (CSV, b"region,sex\nN,M\nS,F,x\n", 400,
                                      "request body line 3: expected 2 fields, found 3"),
    "CSV header only": (CSV, b"region,sex\n", 400, "expected data rows after the header"),
    "binary CSV": (CSV, b"\x1f\x8b\x08\x00binary", 400, "found a binary file (gzip)"),
    "text in a CSV number column": (CSV, b"region,population,sex,age,education,income,statusquo"
                                    b"\nN,175000,M,abc,P,35000,1.0\n", 422,
                                    "request body line 2, column 'age': expected a number"),
    "too many rows": (JSON, json.dumps({"instances": [ROW] * (MAX_ROWS + 1)}).encode(), 413,
                      f"{MAX_ROWS + 1} rows: more than the {MAX_ROWS}"),
    "body over the limit": (JSON, b'{"instances": [' + b" " * MAX_BODY + b"]}", 413,
                            f"more than the {MAX_BODY:,} this server takes"),
    "form content type": ({"Content-Type": "application/x-www-form-urlencoded"}, b"a=1", 415,
                          "expected application/json or text/csv"),
    "JSON in latin-1": ({"Content-Type": "application/json; charset=latin-1"}, b"{}", 415,
                        "JSON is read as UTF-8"),
    "prepare_digits on a table": (JSON, json.dumps({"instances": [ROW], "prepare_digits": True}
                                                   ).encode(), 422, "this model takes table rows"),
}

IMAGE_CASES = {
    "wrong size": ([_image(rows=27)], 422, "instances[0]: expected a 28x28 image (28 lists of 28 "
                                          "numbers, or 784 numbers), found 27x28"),
    "wrong flat size": ([[0] * 783], 422, "found 783 numbers"),
    "ragged rows": ([_image()[:27] + [[0] * 27]], 422, "expected rows of equal length"),
    "value over 255": ([_image(), _image(256)], 422, "instances[1]: expected pixel values from 0 "
                                                     "to 255, found 256"),
    "negative value": ([_image(-1)], 422, "expected pixel values from 0 to 255, found -1"),
    "text pixel": ([[["x"] * 28] * 28], 422, "instances[0][0][0]: expected a number from 0 to "
                                             "255, found 'x'"),
    "null pixel": ([_image()[:27] + [[0] * 27 + [None]]], 422, "instances[0][27][27]: expected a "
                                                               "number from 0 to 255, found null"),
    "nested too deep": ([[[[0]] * 28] * 28], 422, "found 28x28x1"),
    "not an image": ([7], 422, "instances[0]: expected an image"),
}


@pytest.fixture(scope="module")
def table_server(chile_run):
    server = start_server(chile_run, "--max-body", str(MAX_BODY), "--max-rows", str(MAX_ROWS))
    yield server
    assert stop(server) == 0


@pytest.fixture(scope="module")
def image_server(mnist_mlp_run):
    server = start_server(mnist_mlp_run)
    yield server
    assert stop(server) == 0


def assert_refused(server, status, answer, expected_status, message):
    assert status == expected_status, answer
    assert set(answer) == {"error"} and "\n" not in answer["error"]
    assert message in answer["error"], answer["error"]
    assert server.healthy()


@pytest.mark.parametrize("case", TABLE_CASES)
def test_bad_table_request(table_server, case):
    headers, body, expected, message = TABLE_CASES[case]
    status, _, answer = table_server.call("POST", "/predict", body, headers)
    assert_refused(table_server, status, answer, expected, message)
    good, _, ok = table_server.post_json({"instances": [ROW]})
    assert good == 200 and len(ok["predictions"]) == 1


@pytest.mark.parametrize("case", IMAGE_CASES)
def test_bad_image_request(image_server, case):
    instances, expected, message = IMAGE_CASES[case]
    status, _, answer = image_server.post_json({"instances": instances})
    assert_refused(image_server, status, answer, expected, message)


def test_csv_body_for_an_image_model(image_server):
    status, _, answer = image_server.call("POST", "/predict", b"a,b\n1,2\n", CSV)
    assert_refused(image_server, status, answer, 415, "this model takes images")


@pytest.mark.parametrize("method,path,expected,message", [
    ("GET", "/predict", 405, "GET /predict: expected POST"),
    ("DELETE", "/metadata", 405, "method not allowed"),
    ("GET", "/etc/passwd", 404, "no route /etc/passwd"),
    ("GET", "/docs/assets/../../model.json", 404, "no"),
])
def test_routes_and_methods(table_server, method, path, expected, message):
    status, _, answer = table_server.call(method, path)
    assert_refused(table_server, status, answer, expected, message)


def raw_request(port: int, head: bytes) -> tuple[int, dict]:
    """Send `head` (and whatever body part it holds) on a new connection; the status and the
    JSON answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    top, _, body = answer.partition(b"\r\n\r\n")
    return int(top[9:12]), json.loads(body)


def test_no_content_type(table_server):
    status, answer = raw_request(table_server.port, b"POST /predict HTTP/1.1\r\nHost: "
                                 b"127.0.0.1\r\nContent-Length: 2\r\n\r\n{}")
    assert_refused(table_server, status, answer, 415, "Content-Type (none): expected "
                                                      "application/json or text/csv")


def test_declared_body_over_the_limit_is_refused_before_it_is_sent(table_server):
    """A Content-Length over --max-body gets 413 at once: the server reads none of it."""
    status, answer = raw_request(table_server.port, b"POST /predict HTTP/1.1\r\nHost: "
                                 b"127.0.0.1\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: 999999999\r\n\r\n")
    assert_refused(table_server, status, answer, 413, "request body of 999,999,999 bytes")


def test_slow_requests_get_503(serving, chile_run, chile_files):
    """Over --timeout: a large CSV, and a body that stops arriving."""
    server = serving(chile_run, "--timeout", "0.001")
    big = chile_files[1].read_bytes() * 20  # the header repeats: never reached in time
    status, _, answer = server.call("POST", "/predict", big, CSV)
    assert_refused(server, status, answer, 503, "within the 0.001 s limit")
    status, answer = raw_request(server.port, b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: 100"
                                 b"\r\n\r\n{")
    assert_refused(server, status, answer, 503, "the request body did not arrive within")
