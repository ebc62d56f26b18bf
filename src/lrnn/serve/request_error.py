"""A request the server refuses: its HTTP status and the one-line message it answers with."""

from __future__ import annotations

BAD_REQUEST = 400  # the body cannot be read: malformed JSON or CSV, the wrong structure
UNPROCESSABLE = 422  # read, but not rows or images this model takes
UNAUTHORIZED = 401
NOT_FOUND = 404
METHOD_NOT_ALLOWED = 405
TOO_LARGE = 413
UNSUPPORTED_TYPE = 415
MISDIRECTED = 421  # a Host header this server does not answer to
UNAVAILABLE = 503  # over the time limit


class RequestError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error_body(message: str) -> bytes:
    """{"error": "..."} on one line."""
    import orjson

    return orjson.dumps({"error": " ".join(message.split())})
