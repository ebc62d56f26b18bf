"""/metadata and the OpenAPI document describe the run being served: its classes, its real
columns (medians, levels) or image size, the lrnn version and the run's test metrics."""

from __future__ import annotations

import json

import lrnn


def test_table_run(serving, chile_run):
    server = serving(chile_run)
    info = json.loads((chile_run / "model.json").read_text())
    metrics = json.loads((chile_run / "metrics.json").read_text())["test"]
    status, _, meta = server.call("GET", "/metadata")
    assert status == 200
    assert meta["classes"] == info["classes"] and meta["lrnn_version"] == lrnn.__version__
    assert meta["test_metrics"]["accuracy"] == metrics["accuracy"]
    columns = {c["name"]: c for c in meta["input"]["columns"]}
    for col in info["preprocessing"]["columns"]:
        shown = columns[col["name"]]
        if col["type"] == "numeric":
            assert shown["type"] == "number" and shown["median"] == col["median"]
        else:
            assert shown["type"] == "category" and shown["levels"] == col["levels"]
    assert meta["limits"] == {"max_body": 8 << 20, "max_rows": 10_000, "timeout_s": 10.0}
    _, _, spec = server.call("GET", "/openapi.json")
    body = spec["paths"]["/predict"]["post"]["requestBody"]["content"]
    row = body["application/json"]["schema"]["properties"]["instances"]["items"]
    assert set(row["properties"]) == set(columns)
    assert row["properties"]["region"]["enum"][:-1] == columns["region"]["levels"]
    assert "text/csv" in body
    answer = spec["paths"]["/predict"]["post"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert answer["properties"]["predictions"]["items"]["properties"]["label"]["enum"] == \
        info["classes"]


def test_image_run(serving, mnist_mlp_run):
    server = serving(mnist_mlp_run)
    _, _, meta = server.call("GET", "/metadata")
    assert meta["input"] == {"kind": "image", "shape": [28, 28], "values": "0..255",
                             "prepare_digits": True}
    assert meta["classes"] == [str(d) for d in range(10)] and meta["model"] == "mlp"
    _, _, spec = server.call("GET", "/openapi.json")
    image = spec["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"][
        "schema"]["properties"]["instances"]["items"]
    nested, flat = image["oneOf"]
    assert nested["minItems"] == nested["maxItems"] == 28
    assert nested["items"]["minItems"] == 28 and flat["minItems"] == 784
    status, _, page = server.call("GET", "/")
    assert status == 200 and b'<canvas id="draw"' in page and b"http" not in page.split(
        b"<footer>")[0].lower().replace(b"http-equiv", b"")  # nothing fetched from elsewhere
