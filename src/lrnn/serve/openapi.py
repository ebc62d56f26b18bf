"""The OpenAPI description of POST /predict for this run: its real columns (with their levels
and medians) or its image size, so that /docs shows what this model takes."""

from __future__ import annotations

from typing import Any


def _column_schema(col: dict[str, Any]) -> dict[str, Any]:
    nullable = [None] if col["missing"] else []
    if col["type"] == "number":
        schema: dict[str, Any] = {"type": ["number", "null"] if nullable else "number"}
        if "median" in col:
            schema["description"] = f"null or left out: the training median, {col['median']:g}"
            schema["example"] = col["median"]
        return schema
    return {"enum": col["levels"] + nullable, "example": (col["levels"] or [None])[0],
            "description": "a level seen in training; another value is taken and reported in "
                           "the warnings"}


def _instance_schema(model) -> dict[str, Any]:
    if model.kind == "image":
        rows, cols = model.image_shape
        pixel = {"type": "number", "minimum": 0, "maximum": 255}
        return {"description": f"a {rows}x{cols} greyscale image, 0 (black) to 255 (white): "
                               f"{rows} rows of {cols} values, or {rows * cols} values; with "
                               f"prepare_digits, a drawing of any size",
                "oneOf": [{"type": "array", "minItems": rows, "maxItems": rows,
                           "items": {"type": "array", "minItems": cols, "maxItems": cols,
                                     "items": pixel}},
                          {"type": "array", "minItems": rows * cols, "maxItems": rows * cols,
                           "items": pixel}]}
    return {"type": "object", "description": "a row as in the CSV the model was trained on; a "
                                             "missing key or null is a missing value",
            "properties": {c["name"]: _column_schema(c) for c in model.columns},
            "required": [c["name"] for c in model.columns if not c["missing"]]}


def request_body(model, max_rows: int) -> dict[str, Any]:
    instances = {"type": "array", "minItems": 1, "maxItems": max_rows,
                 "items": _instance_schema(model)}
    properties: dict[str, Any] = {"instances": instances}
    if model.kind == "image":
        properties["prepare_digits"] = {
            "type": "boolean", "default": False,
            "description": "prepare each drawing as MNIST's digits were (white on black, "
                           "cropped, fit to 20x20, centred by mass); the answer then holds "
                           "the image the model saw"}
    content: dict[str, Any] = {"application/json": {"schema": {
        "type": "object", "required": ["instances"], "properties": properties}}}
    if model.kind != "image":
        names = ",".join(c["name"] for c in model.columns)
        content["text/csv"] = {"schema": {"type": "string", "example": names + "\n"},
                               "example": names + "\n"}
    return {"required": True, "content": content}


def responses(model) -> dict[str, Any]:
    probabilities = {"type": "object", "properties": {c: {"type": "number"}
                                                      for c in model.classes}}
    prediction = {"type": "object", "properties": {
        "label": {"type": "string", "enum": model.classes}, "probabilities": probabilities}}
    answer = {"type": "object", "properties": {
        "predictions": {"type": "array", "items": prediction},
        "warnings": {"type": "array", "items": {"type": "string"},
                     "description": "what `lrnn predict` would warn about: unseen values, "
                                    "gaps, extra columns"}}}
    error = {"content": {"application/json": {"schema": {
        "type": "object", "properties": {"error": {"type": "string"}}}}}}
    return {"200": {"description": "one prediction per row or image",
                    "content": {"application/json": {"schema": answer}}},
            "400": {"description": "the body cannot be read", **error},
            "401": {"description": "no token or a wrong one", **error},
            "413": {"description": "over --max-body or --max-rows", **error},
            "415": {"description": "neither JSON nor CSV", **error},
            "422": {"description": "not rows or images this model takes", **error},
            "503": {"description": "over the time limit", **error}}


def with_predict(schema: dict[str, Any], model, max_rows: int) -> dict[str, Any]:
    """POST /predict (answered in front of FastAPI, guard.py) added to FastAPI's document."""
    schema["paths"]["/predict"] = {"post": {
        "summary": "predictions for rows (JSON or CSV) or images (JSON)",
        "operationId": "predict", "requestBody": request_body(model, max_rows),
        "responses": responses(model)}}
    return schema


def with_security(schema: dict[str, Any]) -> dict[str, Any]:
    """The bearer token in the description, so that /docs' Authorize button sends it."""
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer"}}
    schema["security"] = [{"bearer": []}]
    return schema
