"""Many clients at once: each gets the answer for its own images (requests that arrive
together are answered in one turn of the event loop, never mixed up), and the benchmark's
bounded load stops by itself at its count."""

from __future__ import annotations

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from benchmarks.http_load import LoadResult, request_bytes, run_load
from lrnn.data.idx.format import read_images
from lrnn.predict import Predictor

CLIENTS = 16
PER_CLIENT = 12


def test_concurrent_clients_get_their_own_answers(serving, mnist_mlp_run, mnist_dir):
    images = read_images(mnist_dir / "t10k-images-idx3-ubyte.gz")[:CLIENTS * PER_CLIENT * 2]
    expected = Predictor.load(mnist_mlp_run).predict(images)
    server = serving(mnist_mlp_run)

    def client(k: int) -> list[tuple[int, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        got = []
        for j in range(PER_CLIENT):
            i = 2 * (k * PER_CLIENT + j)  # 1 or 2 images a request
            batch = images[i:i + 1 + j % 2]
            connection.request("POST", "/predict", json.dumps({"instances": batch.tolist()}),
                               {"Content-Type": "application/json"})
            answer = json.loads(connection.getresponse().read())
            got += [(i + n, p["label"]) for n, p in enumerate(answer["predictions"])]
        connection.close()
        return got

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [pair for part in pool.map(client, range(CLIENTS)) for pair in part]
    assert len(answers) == CLIENTS * PER_CLIENT * 3 // 2
    assert all(label == expected[i] for i, label in answers)


def test_concurrent_table_rows_as_one_by_one(serving, chile_run, chile_files):
    """Rows that arrive together are encoded in one pass: each answer is the one the same
    request gets alone, warnings included."""
    from tests.serve.test_predict_matches_cli import json_rows

    rows = json_rows(chile_files[1])[:CLIENTS * PER_CLIENT]
    server = serving(chile_run)
    alone = [server.post_json({"instances": [row]})[2] for row in rows]

    def client(k: int) -> list:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        got = []
        for row in rows[k * PER_CLIENT:(k + 1) * PER_CLIENT]:
            connection.request("POST", "/predict", json.dumps({"instances": [row]}),
                               {"Content-Type": "application/json"})
            got.append(json.loads(connection.getresponse().read()))
        connection.close()
        return got

    with ThreadPoolExecutor(CLIENTS) as pool:
        together = [answer for part in pool.map(client, range(CLIENTS)) for answer in part]
    assert together == alone


def test_bounded_load_stops_at_its_count(serving, chile_run):
    server = serving(chile_run)
    body = json.dumps({"instances": [{"region": "N", "sex": "M", "age": 50}]}).encode()
    result = run_load(server.port, [request_bytes(server.port, body)], count=200, concurrency=16)
    assert result.requests == 200 and result.statuses == {200: 200}
    assert 0 < result.percentile_ms(50) <= result.percentile_ms(99)
    assert server.healthy()


def test_percentiles():
    result = LoadResult(requests=100, wall_s=2.0, latencies_s=[i / 1000 for i in range(100, 0, -1)],
                        statuses={200: 100})
    assert result.throughput == 50
    assert result.percentile_ms(50) == 50 and result.percentile_ms(99) == 99
    assert result.percentile_ms(100) == 100
    np.testing.assert_allclose(result.percentile_ms(1), 1)
