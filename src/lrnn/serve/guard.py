"""The front of the server, one ASGI layer: every request passes its checks (the Host header,
the bearer token, the body's size and the time to read it), then POST /predict is answered
here and everything else by the FastAPI application. A refusal is a JSON {"error": ...} on
one line.

Why /predict does not go through FastAPI's routing: measured on 1-row MNIST requests from 16
clients, FastAPI's middleware stack, route matching, dependency solving and Request/Response
objects took about 45 % of the server's time per request; answered here, the same `answer`
function serves 1,750 requests/s instead of 970 (benchmarks/RESULTS.md). FastAPI still
describes /predict in its OpenAPI document and serves the docs, the page and the rest."""

from __future__ import annotations

import asyncio
import hmac
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

from .request_error import (BAD_REQUEST, METHOD_NOT_ALLOWED, TOO_LARGE, UNAUTHORIZED,
                            UNAVAILABLE, RequestError, error_body)

OPEN_PATHS = ("/health",)  # answered without the token, so that a load balancer can probe
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
PREDICT = "/predict"


@dataclass(frozen=True)
class Limits:
    max_body: int = 8 << 20  # bytes
    max_rows: int = 10_000
    timeout: float = 10.0  # seconds for a request, from its first byte to its answer


def host_name(header: str) -> str:
    """The name in a Host header, without the port: "[::1]:8000" -> "[::1]"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[:header.find("]") + 1]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class Guard:
    """`predict(body, content_type, deadline)` answers POST /predict with JSON bytes or raises
    RequestError; `app` (FastAPI) answers the rest."""

    def __init__(self, app, predict, limits: Limits, token: str | None,
                 allowed_hosts: set[str] | None):
        self.app = app
        self.predict = predict
        self.limits = limits
        self.token = token.encode() if token else None
        self.allowed_hosts = allowed_hosts  # None: any name (a wildcard address, no list given)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        deadline = time.monotonic() + self.limits.timeout
        try:
            headers = dict(scope["headers"])
            self._check_host(headers)
            if scope["path"] not in OPEN_PATHS:
                self._check_token(scope, headers)
            if scope["path"] == PREDICT:
                if scope["method"] != "POST":
                    raise RequestError(METHOD_NOT_ALLOWED, f"{scope['method']} {PREDICT}: "
                                                           f"expected POST", {"allow": "POST"})
                body = await self._read_body(headers, receive, deadline)
                content_type = headers.get(b"content-type", b"").decode("latin-1")
                return await send_json(send, 200, await self.predict(body, content_type,
                                                                     deadline))
        except RequestError as refusal:
            return await send_json(send, refusal.status, error_body(refusal.message),
                                   refusal.headers)
        await self.app(scope, receive, send)

    def _check_host(self, headers: dict[bytes, bytes]) -> None:
        if self.allowed_hosts is None:
            return
        header = headers.get(b"host", b"").decode("latin-1")
        if host_name(header) not in self.allowed_hosts:
            names = ", ".join(sorted(self.allowed_hosts))
            raise RequestError(BAD_REQUEST, f"Host header {header or '(none)'!r}: not a name "
                                            f"this server answers to; expected one of {names} "
                                            f"(the server's --allowed-host adds one)")

    def _check_token(self, scope, headers: dict[bytes, bytes]) -> None:
        if self.token is None:
            return
        given = headers.get(b"authorization", b"")
        scheme, _, value = given.partition(b" ")
        if scheme.lower() == b"bearer" and hmac.compare_digest(value.strip(), self.token):
            return
        # a browser cannot send a header when it opens a page: GET takes ?token= too
        if scope["method"] == "GET" and scope["query_string"]:
            tokens = parse_qs(scope["query_string"].decode("latin-1")).get("token", [])
            if tokens and hmac.compare_digest(tokens[0].encode(), self.token):
                return
        what = "a wrong token" if given or b"token=" in scope["query_string"] else "no token"
        raise RequestError(UNAUTHORIZED, f"{what}: this server needs 'Authorization: Bearer "
                                         f"TOKEN' (the --token it was started with)",
                           {"www-authenticate": "Bearer"})

    async def _read_body(self, headers: dict[bytes, bytes], receive, deadline: float) -> bytes:
        limit = self.limits.max_body
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _too_large(int(declared), limit)
        chunks, size, more = [], 0, True
        while more:
            try:
                message = await asyncio.wait_for(receive(), deadline - time.monotonic())
            except asyncio.TimeoutError:
                raise RequestError(UNAVAILABLE, f"the request body did not arrive within the "
                                                f"{self.limits.timeout:g} s limit") from None
            if message["type"] == "http.disconnect":
                raise RequestError(BAD_REQUEST, "the client went away before sending its body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _too_large(size, limit, at_least=True)
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)


def _too_large(size: int, limit: int, at_least: bool = False) -> RequestError:
    return RequestError(TOO_LARGE, f"request body of {'over ' if at_least else ''}{size:,} "
                                   f"bytes: more than the {limit:,} this server takes "
                                   f"(--max-body)")


async def send_json(send, status: int, body: bytes, extra: dict[str, str] | None = None) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
