"""A bounded HTTP load on 127.0.0.1: a fixed number of POST requests over a fixed number of
keep-alive connections, each sending its next request when the last is answered; it stops by
itself when the count is reached (or a deadline passes). Raw asyncio streams rather than an
HTTP client library: on 2 cores the client shares the machine with the server it measures,
and httpx spends several times the CPU per request that these few lines do."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass

HOST = "127.0.0.1"  # never anything else: the load is for this machine's own servers


@dataclass(frozen=True)
class LoadResult:
    requests: int
    wall_s: float
    latencies_s: list[float]
    statuses: dict[int, int]

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_s

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return 1000 * ordered[index]


def request_bytes(port: int, body: bytes, content_type: str = "application/json",
                  path: str = "/predict") -> bytes:
    head = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("ascii") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _client(port: int, queue, latencies: list[float], statuses: dict[int, int],
                  deadline: float) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        for request in queue:
            if time.perf_counter() > deadline:
                break
            start = time.perf_counter()
            writer.write(request)
            status, _ = await _read_response(reader)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], count: int, concurrency: int,
                max_seconds: float) -> LoadResult:
    queue = itertools.islice(itertools.cycle(requests), count)  # shared: each takes the next
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start = time.perf_counter()
    await asyncio.gather(*(_client(port, queue, latencies, statuses, start + max_seconds)
                           for _ in range(concurrency)))
    return LoadResult(len(latencies), time.perf_counter() - start, latencies, statuses)


def run_load(port: int, requests: list[bytes], count: int, concurrency: int = 16,
             max_seconds: float = 120.0) -> LoadResult:
    """Send `count` requests (cycling through `requests`, whole HTTP requests as bytes) from
    `concurrency` connections at once to 127.0.0.1:port."""
    try:
        import uvloop  # the event loop uvicorn runs on too, when installed

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    return runner(_load(port, requests, count, concurrency, max_seconds))


def one_request(port: int, request: bytes, timeout: float = 60.0) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one request on a new connection."""
    async def send():
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            start = time.perf_counter()
            writer.write(request)
            status, body = await asyncio.wait_for(_read_response(reader), timeout)
            return status, body, time.perf_counter() - start
        finally:
            writer.close()

    return asyncio.run(send())
