"""The application serving one run: the Guard in front (checks, and POST /predict), FastAPI
behind it (/health, /metadata, the page at /, /docs and the OpenAPI document). Everything a
route answers with is computed from the run loaded at start-up; no route loads a model, reads
a file or fetches a URL named in a request."""

# No `from __future__ import annotations` here: FastAPI reads the routes' annotations, whose
# types are imported inside the functions.
import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from ._lrnn import LrnnError
from .guard import PREDICT, Guard, Limits
from .model import ServedModel
from .openapi import with_predict, with_security
from .page import docs_assets, docs_page, page_html
from .predicting import answer, answer_together, warm_up
from .request_error import UNAVAILABLE, UNPROCESSABLE, RequestError, error_body

# Bodies up to this size are answered in the event loop (parsing and a forward pass take well
# under a millisecond there); larger ones on a worker thread, so that the time limit holds.
INLINE_BYTES = 64 << 10
WORKERS = 2
GROUP = 64  # small requests answered in one turn of the event loop, at most


class Together:
    """Small requests that arrive in the same turn of the event loop, answered in one callback
    by `work(list of argument tuples) -> list of answers or exceptions`. Measured on 1-row
    MNIST requests from 16 clients: 2,470-2,570 requests/s against 1,450-1,970 when each is
    answered in its own task. Joining their rows into one forward pass measured no faster
    (2,060-2,640), and would make a row's last bits depend on the rows it arrived with, so
    each request keeps its own forward pass, as `lrnn predict`; table rows are encoded in one
    pass (predicting.answer_together), which gives each row the same features."""

    def __init__(self, work):
        self.work = work
        self.pending: list = []

    def submit(self, *args) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        if not self.pending:
            loop.call_soon(self._answer)
        self.pending.append((args, future))
        return future

    def _answer(self) -> None:
        group, self.pending = self.pending[:GROUP], self.pending[GROUP:]
        if self.pending:
            asyncio.get_running_loop().call_soon(self._answer)
        group = [(args, future) for args, future in group if not future.cancelled()]
        try:
            answers = self.work([args for args, _ in group])
        except Exception as exc:  # a bug: every request of the group gets it
            answers = [exc] * len(group)
        for (_, future), result in zip(group, answers):
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)


def _json_response(content: bytes, status: int = 200, headers: dict | None = None):
    from starlette.responses import Response

    return Response(content, status_code=status, media_type="application/json",
                    headers=headers)


def _error_response(refusal: RequestError):
    return _json_response(error_body(refusal.message), refusal.status, refusal.headers)


def create_app(model: ServedModel, limits: Limits = Limits(), token=None, allowed_hosts=None,
               cors=None):
    """The ASGI application: the Guard (host, token, body limits, /predict) in front of
    FastAPI, inside CORS when origins are given."""
    from fastapi import FastAPI

    app = FastAPI(title=f"lrnn: {model.name}", version=model.metadata()["lrnn_version"],
                  docs_url=None, redoc_url=None,
                  description=f"Predictions of the run {model.name} ({model.kind} model, "
                              f"classes {', '.join(model.classes[:10])}).")
    _add_errors(app)
    _add_routes(app, model, limits)
    schema = with_predict(app.openapi(), model, limits.max_rows)
    app.openapi_schema = with_security(schema) if token else schema
    guarded = Guard(app, _predict_endpoint(model, limits), limits, token, allowed_hosts)
    if not cors:
        return guarded
    from starlette.middleware.cors import CORSMiddleware

    return CORSMiddleware(guarded, allow_origins=cors, allow_methods=["GET", "POST"],
                          allow_headers=["Authorization", "Content-Type"])


def _predict_endpoint(model: ServedModel, limits: Limits):
    """POST /predict's answer from the body the Guard read: in the event loop for small
    bodies (together with those that came at the same time), on a worker thread under the
    deadline for large ones."""
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="lrnn-predict")
    together = Together(lambda requests: answer_together(model, requests))
    warm_up(model)

    async def predict(body: bytes, content_type: str, deadline: float) -> bytes:
        try:
            if len(body) <= INLINE_BYTES:
                return await together.submit(body, content_type, limits.max_rows)
            return await _on_worker(pool, deadline, limits.timeout, answer, model, body,
                                    content_type, limits.max_rows)
        except LrnnError as exc:
            raise RequestError(UNPROCESSABLE, str(exc)) from None
        except (RequestError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug: logged with its traceback, answered in one line
            logging.getLogger("lrnn.serve").exception("POST /predict failed")
            raise RequestError(500, f"internal error ({type(exc).__name__}: {exc})") from None

    return predict


def _add_errors(app) -> None:
    from starlette.exceptions import HTTPException

    @app.exception_handler(HTTPException)
    async def http_error(request, exc):
        what = {404: f"no route {request.url.path}; routes: /, /health, /metadata, {PREDICT}, "
                     f"/docs", 405: f"{request.method} {request.url.path}: method not allowed"}
        return _error_response(RequestError(exc.status_code,
                                            what.get(exc.status_code, str(exc.detail))))

    @app.exception_handler(Exception)
    async def unexpected(request, exc):
        return _error_response(RequestError(500, f"internal error ({type(exc).__name__}: "
                                                 f"{exc})"))


def _add_routes(app, model: ServedModel, limits: Limits) -> None:
    import orjson
    from starlette.requests import Request
    from starlette.responses import HTMLResponse

    metadata = orjson.dumps(dict(model.metadata(), limits={
        "max_body": limits.max_body, "max_rows": limits.max_rows, "timeout_s": limits.timeout}))
    page = page_html(model, limits)
    health = orjson.dumps({"status": "ok", "model": model.name})
    assets = docs_assets()

    @app.get("/health", summary="200 once the model is loaded (no token needed)")
    async def get_health():
        return _json_response(health)

    @app.get("/metadata", summary="class labels, input schema, lrnn version, test metrics")
    async def get_metadata():
        return _json_response(metadata)

    @app.get("/", include_in_schema=False)
    async def get_page():
        return HTMLResponse(page)

    @app.get("/docs", include_in_schema=False)
    async def get_docs(request: Request):
        return HTMLResponse(docs_page(app.title, request.query_params.get("token"),
                                      offline=bool(assets)))

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def get_docs_asset(name: str):
        from starlette.responses import Response

        if name not in assets:  # a fixed set, read at start-up: no path from the request
            return _error_response(RequestError(404, f"no asset {name}"))
        content, media_type = assets[name]
        return Response(content, media_type=media_type)


async def _on_worker(pool, deadline: float, timeout: float, work, *args):
    """`work(*args)` on a worker thread, answered with 503 when the deadline passes first.
    The thread cannot be stopped; it finishes and its result is dropped."""
    future = asyncio.get_running_loop().run_in_executor(pool, work, *args)
    try:
        return await asyncio.wait_for(future, max(deadline - time.monotonic(), 0))
    except asyncio.TimeoutError:
        raise RequestError(UNAVAILABLE, f"not answered within the {timeout:g} s limit for a "
                                        f"request (--timeout)") from None
