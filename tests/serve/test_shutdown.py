"""SIGTERM and SIGINT: the server stops taking connections, answers the request in flight,
then exits 0."""

from __future__ import annotations

import json
import signal
import socket
import time

import pytest

from tests.serve.conftest import start_server, stop


def _read_answer(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:")]
        if length and len(body) >= length[0]:
            break
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), json.loads(body)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_finishes_the_request_in_flight_then_exits_0(chile_run, chile_files, sig):
    server = start_server(chile_run)
    body = chile_files[1].read_bytes()
    half = len(body) // 2
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        sock.sendall(b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(body) + body[:half])
        time.sleep(0.5)  # the server is reading this request's body
        server.process.send_signal(sig)
        time.sleep(1.0)
        assert server.process.poll() is None, "exited with a request in flight"
        with pytest.raises(ConnectionRefusedError):  # no new connections meanwhile
            socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
        sock.sendall(body[half:])
        status, answer = _read_answer(sock)
        sock.close()
        assert status == 200 and len(answer["predictions"]) == body.count(b"\n") - 1
        assert server.process.wait(timeout=30) == 0
        out, err = server.process.communicate()
        assert "lrnn serve: stopped" in out and "Traceback" not in err
    finally:
        stop(server)
