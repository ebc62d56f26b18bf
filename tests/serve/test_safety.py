"""The safe defaults: loopback unless told otherwise, a token for other addresses, bearer auth
on every route but /health, the Host header check, CORS off unless asked for, no torch in the
server process, and a one-line error without the serve extra."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from lrnn.serve.server import allowed_hosts, check_exposure
from tests.conftest import lrnn_cli
from tests.serve.conftest import start_server, stop

TOKEN = "s3cret-token"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "example.org"])
def test_other_addresses_need_a_token_or_insecure(chile_run, host):
    result = lrnn_cli("serve", str(chile_run), "--host", host, "--port", "0", timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--host {host}: not a loopback address" in lines[0]
    assert "--token" in lines[0] and "--insecure" in lines[0]


def test_a_port_in_use_or_no_run_is_one_line(serving, chile_run, tmp_path):
    server = serving(chile_run)
    taken = lrnn_cli("serve", str(chile_run), "--port", str(server.port), timeout=60)
    assert taken.returncode == 2, taken.stderr
    assert taken.stderr.strip().splitlines() == [
        f"lrnn serve: error: --host 127.0.0.1 --port {server.port}: cannot listen there "
        f"(Address already in use)"]
    missing = lrnn_cli("serve", str(tmp_path / "nothing"), "--port", "0", timeout=60)
    assert missing.returncode == 3 and "expected a run directory" in missing.stderr
    assert server.healthy()


@pytest.mark.parametrize("flags,message", [
    (["--timeout", "0"], "--timeout: expected a number of seconds > 0, found '0'"),
    (["--max-body", "8XB"], "--max-body: expected a size in bytes such as 8388608 or 8MiB"),
    (["--max-rows", "-5"], "--max-rows: expected a whole number >= 1"),
])
def test_bad_settings_are_one_line(chile_run, flags, message):
    result = lrnn_cli("serve", str(chile_run), *flags, timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_what_the_exposure_rule_lets_through():
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        check_exposure(host, None, False)
    check_exposure("0.0.0.0", TOKEN, False)
    check_exposure("0.0.0.0", None, True)
    assert allowed_hosts("0.0.0.0", []) is None  # every address: any name, the token guards
    assert allowed_hosts("0.0.0.0", ["model.example"]) >= {"model.example", "localhost"}
    assert "10.1.2.3" in allowed_hosts("10.1.2.3", [])


def test_token_on_every_route_but_health(serving, chile_run):
    server = serving(chile_run, "--token", TOKEN)
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert server.healthy()
    for path in ("/metadata", "/", "/docs", "/openapi.json"):
        status, headers, answer = server.call("GET", path)
        assert status == 401 and "no token" in answer["error"], (path, answer)
        assert headers["www-authenticate"] == "Bearer"
        status, _, answer = server.call("GET", path, headers={"Authorization": "Bearer nope"})
        assert status == 401 and "a wrong token" in answer["error"]
        assert server.call("GET", path, headers=bearer)[0] == 200
        assert server.call("GET", f"{path}?token={TOKEN}")[0] == 200  # a browser opening it
    row = {"instances": [{"region": "N", "sex": "M", "age": 40}]}
    assert server.post_json(row)[0] == 401
    status, _, answer = server.post_json(row, bearer)
    assert status == 200 and len(answer["predictions"]) == 1
    # a POST takes the token in its header only
    status, _, _ = server.call("POST", f"/predict?token={TOKEN}", json.dumps(row).encode(),
                               {"Content-Type": "application/json"})
    assert status == 401
    status, _, spec = server.call("GET", "/openapi.json", headers=bearer)
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_access_log_hides_tokens(chile_run):
    server = start_server(chile_run, "--token", TOKEN, "--access-log")
    assert server.call("GET", f"/?token={TOKEN}")[0] == 200
    assert stop(server) == 0
    log = server.process.stdout.read()
    assert "GET /?token=(hidden)" in log and TOKEN not in log


def test_host_header_is_checked(serving, chile_run):
    server = serving(chile_run)
    for host in (f"localhost:{server.port}", f"127.0.0.1:{server.port}", "localhost"):
        assert server.call("GET", "/metadata", headers={"Host": host})[0] == 200
    status, _, answer = server.call("GET", "/metadata", headers={"Host": "attacker.example"})
    assert status == 400 and "Host header 'attacker.example'" in answer["error"]
    assert server.healthy()
    named = serving(chile_run, "--allowed-host", "models.internal")
    assert named.call("GET", "/metadata", headers={"Host": "models.internal:80"})[0] == 200


def test_cors_is_off_unless_an_origin_is_given(serving, chile_run):
    origin = "http://notebook.example"
    preflight = {"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    closed = serving(chile_run)
    status, headers, _ = closed.call("GET", "/metadata", headers={"Origin": origin})
    assert status == 200 and "access-control-allow-origin" not in headers
    status, headers, _ = closed.call("OPTIONS", "/predict", headers=preflight)
    assert status == 405 and "access-control-allow-origin" not in headers
    opened = serving(chile_run, "--cors", origin)
    status, headers, _ = opened.call("OPTIONS", "/predict", headers=preflight)
    assert status == 200 and headers["access-control-allow-origin"] == origin
    status, headers, _ = opened.post_json({"instances": [{"sex": "F"}]}, {"Origin": origin})
    assert status == 200 and headers["access-control-allow-origin"] == origin
    other = dict(preflight, Origin="http://elsewhere.example")
    status, headers, _ = opened.call("OPTIONS", "/predict", headers=other)
    assert status == 400 and "access-control-allow-origin" not in headers


def test_no_torch_in_the_server_process(serving, mnist_mlp_run, chile_run):
    """Neither the running server (its mapped libraries) nor the app built and answering in a
    fresh interpreter (its sys.modules) has torch, scikit-learn or matplotlib. (pandas is
    there: pyarrow imports it on its first array when it is installed.)"""
    heavy = ("torch", "sklearn", "matplotlib")
    for run in (mnist_mlp_run, chile_run):
        server = serving(run)
        pixels = [[0] * 28] * 28
        body = {"instances": [pixels]} if run == mnist_mlp_run else {"instances": [{"sex": "F"}]}
        assert server.post_json(body)[0] == 200
        maps = open(f"/proc/{server.process.pid}/maps").read()
        for name in heavy:
            assert f"/site-packages/{name}/" not in maps, name
    script = textwrap.dedent(f"""
        import asyncio, json, sys
        from lrnn.serve.app import create_app
        from lrnn.serve.model import ServedModel
        app = create_app(ServedModel.load({str(chile_run)!r}))
        sent = []
        async def receive():
            return {{"type": "http.request", "body": b'{{"instances": [{{"sex": "F"}}]}}',
                    "more_body": False}}
        async def send(message):
            sent.append(message)
        scope = {{"type": "http", "method": "POST", "path": "/predict", "query_string": b"",
                 "headers": [(b"host", b"localhost"), (b"content-type", b"application/json")]}}
        asyncio.run(app(scope, receive, send))
        print(json.dumps({{"status": sent[0]["status"],
                          "loaded": [m for m in {heavy!r} if m in sys.modules]}}))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"status": 200, "loaded": []}


def test_missing_extra_is_one_line(chile_run):
    script = ("import sys; sys.modules['fastapi'] = None; from lrnn.cli import main; "
              f"sys.exit(main(['serve', {str(chile_run)!r}]))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "lrnn serve: error: needs the serve extra (fastapi not installed): "
        "pip install 'lrnn[serve]'"]
