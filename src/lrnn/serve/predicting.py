"""POST /predict's work, from the request's bytes to the answer's: read the body, check it
against the run's schema, preprocess, one forward pass, JSON. Plain synchronous code: the app
runs it in the event loop for small bodies and on a worker thread, under the time limit, for
large ones."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

import numpy as np

from ._lrnn import InputError
from .image_input import image_rows, prepared_rows
from .request_error import (BAD_REQUEST, TOO_LARGE, UNPROCESSABLE, UNSUPPORTED_TYPE,
                            RequestError)
from .table_input import (BODY, ROWS, csv_table, encode_together, json_table,
                          table_features)

FIELDS = ("instances", "prepare_digits")


def body_kind(content_type: str) -> tuple[str, str | None]:
    """("json" or "csv", the charset named or None) from a Content-Type header."""
    main, _, params = content_type.partition(";")
    main = main.strip().lower()
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if main == "application/json" or (main.startswith("application/") and main.endswith("+json")):
        if charset not in (None, "utf-8", "utf8"):
            raise RequestError(UNSUPPORTED_TYPE, f"Content-Type {content_type}: JSON is read "
                                                 f"as UTF-8, found charset {charset}")
        return "json", None
    if main == "text/csv":
        return "csv", charset
    raise RequestError(UNSUPPORTED_TYPE, f"Content-Type {main or '(none)'}: expected "
                                         f"application/json or text/csv")


def _json(body: bytes):
    import orjson

    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestError(BAD_REQUEST, f"request body: not valid JSON ({exc})") from None


def _instances(payload, max_rows: int) -> tuple[list, bool]:
    if not isinstance(payload, dict):
        raise RequestError(BAD_REQUEST, 'request body: expected a JSON object {"instances": '
                                        f'[...]}}, found {type(payload).__name__}')
    unknown = [key for key in payload if key not in FIELDS]
    if unknown:
        raise RequestError(BAD_REQUEST, f"field '{unknown[0]}': not known; expected "
                                        f"{' and '.join(FIELDS)}")
    if "instances" not in payload:
        raise RequestError(BAD_REQUEST, "field 'instances': missing; expected a list of rows "
                                        "or images")
    instances, prepare = payload["instances"], payload.get("prepare_digits", False)
    if not isinstance(instances, list):
        raise RequestError(UNPROCESSABLE, f"field 'instances': expected a list of rows or "
                                          f"images, found {type(instances).__name__}")
    if not instances:
        raise RequestError(UNPROCESSABLE, "field 'instances': expected at least one row or "
                                          "image, found an empty list")
    _check_count(len(instances), max_rows)
    if not isinstance(prepare, bool):
        raise RequestError(UNPROCESSABLE, f"field 'prepare_digits': expected true or false, "
                                          f"found {prepare!r}")
    return instances, prepare


def _check_count(rows: int, max_rows: int) -> None:
    if rows > max_rows:
        raise RequestError(TOO_LARGE, f"{rows:,} rows: more than the {max_rows:,} this server "
                                      f"takes in one request (--max-rows)")


@dataclass
class Reading:
    """One request read and checked: its features, or for JSON rows the typed table still to
    encode; the ids and prepared images it answers with; its warnings so far."""

    X: np.ndarray | None = None
    table: object = None
    ids: list | None = None
    prepared: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)


def _csv_rows(model, body: bytes, charset: str | None, max_rows: int) -> Reading:
    if model.kind == "image":
        raise RequestError(UNSUPPORTED_TYPE, "Content-Type text/csv: this model takes images; "
                                             "send them as JSON")
    encoding = charset or "utf-8"
    try:
        codecs.lookup(encoding)
        table = csv_table(body, encoding)
    except LookupError:
        raise RequestError(UNSUPPORTED_TYPE, f"charset {encoding}: not an encoding") from None
    except InputError as exc:
        raise RequestError(BAD_REQUEST, str(exc)) from None
    _check_count(table.num_rows, max_rows)
    reading = Reading()
    reading.X = table_features(model, table, BODY, reading.warnings)
    if model.id_column and model.id_column in table.column_names:
        reading.ids = table.column(model.id_column).to_pylist()
    return reading


def _json_rows(model, instances: list, prepare: bool) -> Reading:
    reading = Reading()
    if model.kind != "image":
        if prepare:
            raise RequestError(UNPROCESSABLE, "field 'prepare_digits': this model takes table "
                                              "rows, not drawings of digits")
        reading.table = json_table(model, instances, reading.warnings)
        if model.id_column and any(model.id_column in row for row in instances):
            reading.ids = [row.get(model.id_column) for row in instances]
        return reading
    shape = model.image_shape
    reading.prepared = prepared_rows(instances, shape) if prepare else None
    pixels = reading.prepared.reshape(len(instances), -1) if prepare else \
        image_rows(instances, shape)
    try:
        reading.X = model.predictor.preprocessor.transform(pixels)
    except InputError as exc:
        raise RequestError(UNPROCESSABLE, f"{ROWS}: {exc}") from None
    return reading


def read(model, body: bytes, content_type: str, max_rows: int) -> Reading:
    kind, charset = body_kind(content_type)
    if kind == "csv":
        return _csv_rows(model, body, charset, max_rows)
    return _json_rows(model, *_instances(_json(body), max_rows))


def respond(model, reading: Reading) -> bytes:
    """{"predictions": [...], "warnings": [...]}, each request through its own forward pass."""
    import orjson

    if reading.X is None:
        reading.X = table_features(model, reading.table, ROWS, reading.warnings)
    predictions = model.predictions(reading.X, reading.ids)
    if reading.prepared is not None:
        for prediction, image in zip(predictions, reading.prepared):
            prediction["prepared"] = image.tolist()  # the 28x28 the model saw
    return orjson.dumps({"predictions": predictions, "warnings": reading.warnings})


def answer(model, body: bytes, content_type: str, max_rows: int) -> bytes:
    """The JSON answer to one POST /predict."""
    return respond(model, read(model, body, content_type, max_rows))


def answer_together(model, requests: list[tuple[bytes, str, int]]) -> list:
    """The answers (bytes, or the exception to raise) to requests that arrived together, each
    the same as answer() gives it alone; the JSON rows among them are encoded in one pass of
    the preprocessor where that changes nothing (table_input.encode_together)."""
    readings = []
    for body, content_type, max_rows in requests:
        try:
            readings.append(read(model, body, content_type, max_rows))
        except Exception as exc:
            readings.append(exc)
    encode_together(model, [r for r in readings if isinstance(r, Reading) and r.X is None])
    answers = []
    for reading in readings:
        try:
            answers.append(reading if isinstance(reading, Exception) else respond(model, reading))
        except Exception as exc:
            answers.append(exc)
    return answers


def warm_up(model) -> None:
    """One answer before the first request, so that it does not pay for first calls: pyarrow
    imports pandas on its first array (about 0.4 s), numpy touches the weights."""
    import orjson

    if model.kind == "image":
        rows, cols = model.image_shape
        instance = [[0] * cols for _ in range(rows)]
    else:
        instance = {c["name"]: 0 if c["type"] == "number" else (c["levels"] or [None])[0]
                    for c in model.columns}
    answer(model, orjson.dumps({"instances": [instance]}), "application/json", 1)
