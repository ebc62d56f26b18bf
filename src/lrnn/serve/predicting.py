"""POST /predict's work, from the request's bytes to the answer's: read the body, check it
against the run's schema, preprocess, one forward pass, JSON. Plain synchronous code: the app
runs it in the event loop for small bodies and on a worker thread, under the time limit, for
large ones."""

from __future__ import annotations

import codecs

from ._lrnn import InputError
from .image_input import image_rows, prepared_rows
from .request_error import (BAD_REQUEST, TOO_LARGE, UNPROCESSABLE, UNSUPPORTED_TYPE,
                            RequestError)
from .table_input import BODY, ROWS, csv_table, json_table, table_features

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


def _csv_rows(model, body: bytes, charset: str | None, max_rows: int, warnings: list[str]):
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
    X = table_features(model, table, BODY, warnings)
    ids = None
    if model.id_column and model.id_column in table.column_names:
        ids = table.column(model.id_column).to_pylist()
    return X, ids


def _json_rows(model, instances: list, prepare: bool, warnings: list[str]):
    """(features, ids or None, prepared images or None)."""
    if model.kind != "image":
        if prepare:
            raise RequestError(UNPROCESSABLE, "field 'prepare_digits': this model takes table "
                                              "rows, not drawings of digits")
        table = json_table(model, instances, warnings)
        ids = None
        if model.id_column and any(model.id_column in row for row in instances):
            ids = [row.get(model.id_column) for row in instances]
        return table_features(model, table, ROWS, warnings), ids, None
    shape = model.image_shape
    prepared = prepared_rows(instances, shape) if prepare else None
    pixels = prepared.reshape(len(prepared), -1) if prepare else image_rows(instances, shape)
    try:
        return model.predictor.preprocessor.transform(pixels), None, prepared
    except InputError as exc:
        raise RequestError(UNPROCESSABLE, f"{ROWS}: {exc}") from None


def answer(model, body: bytes, content_type: str, max_rows: int) -> bytes:
    """The JSON answer to one POST /predict: {"predictions": [...], "warnings": [...]}."""
    import orjson

    kind, charset = body_kind(content_type)
    warnings: list[str] = []
    prepared = None
    if kind == "csv":
        X, ids = _csv_rows(model, body, charset, max_rows, warnings)
    else:
        instances, prepare = _instances(_json(body), max_rows)
        X, ids, prepared = _json_rows(model, instances, prepare, warnings)
    predictions = model.predictions(X, ids)
    if prepared is not None:
        for prediction, image in zip(predictions, prepared):
            prediction["prepared"] = image.tolist()  # the 28x28 the model saw
    return orjson.dumps({"predictions": predictions, "warnings": warnings})


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
