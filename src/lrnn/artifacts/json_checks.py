"""Every JSON lrnn reads back (model.json, metrics.json, a checkpoint's description), parsed
strictly and checked against a schema before anything uses it: no duplicate keys (the json
module would keep the last), no NaN or infinities, bounded nesting and size; then each field's
type and range. A failure is one line naming the file and the field (ArtifactError, exit 3).

A schema is built from the small checkers below: each is a function (value, where) that
raises SchemaError(where, what was expected, what was found)."""

from __future__ import annotations

import json
import math
from typing import Any, Callable, Iterable

from ..errors import ArtifactError, LrnnError

MAX_DEPTH = 64  # lrnn's own files nest at most ~20 levels (a checkpoint's optimizer state)
Check = Callable[[Any, str], None]


class SchemaError(ValueError):
    def __init__(self, where: str, expected: str, found: Any = None, missing: bool = False):
        super().__init__(f"{where}: missing; expected {expected}" if missing else
                         f"{where}: expected {expected}, found {_found(found)}")


def _named(run: Check, expected: str) -> Check:
    run.expected = expected
    return run


class _Duplicate(ValueError):
    pass


class _NonFinite:
    def __init__(self, name: str):
        self.name = name


def _found(value: Any) -> str:
    if isinstance(value, _NonFinite):
        return value.name
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _Duplicate(key)
        result[key] = value
    return result


def parse_json(data: bytes | str, source: str, error: type[LrnnError] = ArtifactError,
               max_depth: int = MAX_DEPTH, finite: bool = True) -> Any:
    """The JSON value in `data`, refused unless it is strict, at most `max_depth` levels deep
    and (when `finite`) free of NaN and infinities."""
    constant = _NonFinite if finite else float
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, object_pairs_hook=_pairs, parse_constant=constant)
    except RecursionError:
        raise error(f"{source}: nested deeper than {max_depth} levels; expected lrnn's "
                    f"own JSON") from None
    except _Duplicate as exc:
        raise error(f"{source}: key {str(exc)!r} appears twice in one object; expected "
                    f"unique keys") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise error(f"{source}: not valid JSON ({exc})") from None
    _check_tree(value, source, error, max_depth, finite)
    return value


def _check_tree(value: Any, source: str, error, max_depth: int, finite: bool) -> None:
    """Depth and finiteness of every value, without recursion."""
    stack = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > max_depth:
            raise error(f"{source}: nested deeper than {max_depth} levels at "
                        f"{where or 'the top'}; expected lrnn's own JSON")
        if isinstance(item, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k), depth + 1)
                         for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(item))
        elif finite and (isinstance(item, _NonFinite) or (isinstance(item, float)
                                                          and not math.isfinite(item))):
            raise error(f"{source}: {where or 'the value'}: expected a finite number, found "
                        f"{_found(item)}")


def check(value: Any, schema: Check, source: str, where: str = "",
          error: type[LrnnError] = ArtifactError) -> None:
    """`schema(value)`, a failure as one line naming `source` and the field."""
    try:
        schema(value, where)
    except SchemaError as exc:
        raise error(f"{source}: {str(exc).lstrip(': ')}") from None


def _at(where: str, key) -> str:
    return f"{where}[{key}]" if isinstance(key, int) else (f"{where}.{key}" if where else key)


# --- checkers -----------------------------------------------------------------------------

def integer(low: int | None = None, high: int | None = None) -> Check:
    expected = "an integer" + (f" >= {low}" if low is not None else "") + \
        (f" and <= {high}" if high is not None else "")

    def run(value, where):
        if isinstance(value, bool) or not isinstance(value, int) or \
                (low is not None and value < low) or (high is not None and value > high):
            raise SchemaError(where, expected, value)
    return _named(run, expected)


def number(low: float = -math.inf, high: float = math.inf, open_low: bool = False,
           open_high: bool = False, finite: bool = True) -> Check:
    bounds = []
    if low > -math.inf:
        bounds.append(f"{'>' if open_low else '>='} {low:g}")
    if high < math.inf:
        bounds.append(f"{'<' if open_high else '<='} {high:g}")
    expected = ("a finite number" if finite else "a number") + \
        (" " + " and ".join(bounds) if bounds else "")

    def run(value, where):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (finite and not math.isfinite(value)):
            raise SchemaError(where, expected, value)
        if (value <= low if open_low else value < low) or \
                (value >= high if open_high else value > high):
            raise SchemaError(where, expected, value)
    return _named(run, expected)


def text(choices: Iterable[str] | None = None, length: int | None = None) -> Check:
    options = tuple(choices) if choices is not None else None
    expected = f"one of {', '.join(options)}" if options else \
        (f"a text of {length} characters" if length else "a text")

    def run(value, where):
        if not isinstance(value, str) or (options and value not in options) or \
                (length is not None and len(value) != length):
            raise SchemaError(where, expected, value)
    return _named(run, expected)


def boolean(value, where) -> None:
    if not isinstance(value, bool):
        raise SchemaError(where, "true or false", value)


def anything(value, where) -> None:
    """Any JSON value (already checked finite and shallow by parse_json)."""


boolean.expected, anything.expected = "true or false", "a value"


def nullable(inner: Check) -> Check:
    def run(value, where):
        if value is not None:
            inner(value, where)
    return _named(run, f"{inner.expected}, or null")


def list_of(item: Check, min_len: int = 0, distinct: bool = False,
            what: str = "a list") -> Check:
    expected = what + (f" of at least {min_len}" if min_len else "") + \
        (" distinct values" if distinct else "")

    def run(value, where):
        if not isinstance(value, list) or len(value) < min_len:
            raise SchemaError(where, expected, value)
        for i, v in enumerate(value):
            item(v, _at(where, i))
        if distinct:
            seen = set()
            for i, v in enumerate(value):
                key = (True, v) if isinstance(v, str) else (False, json.dumps(v, sort_keys=True))
                if key in seen:
                    raise SchemaError(_at(where, i), "distinct values", v)
                seen.add(key)
    return _named(run, expected)


def dict_of(item: Check) -> Check:
    def run(value, where):
        if not isinstance(value, dict):
            raise SchemaError(where, "an object", value)
        for k, v in value.items():
            item(v, _at(where, k))
    return _named(run, "an object")


def obj(required: dict[str, Check], optional: dict[str, Check] | None = None) -> Check:
    """An object with every `required` key and any `optional` one, each checked; other keys
    are allowed (a later lrnn may add some)."""
    optional = optional or {}

    def run(value, where):
        if not isinstance(value, dict):
            raise SchemaError(where, "an object", value)
        for key, inner in required.items():
            if key not in value:
                raise SchemaError(_at(where, key), inner.expected, missing=True)
            inner(value[key], _at(where, key))
        for key, inner in optional.items():
            if key in value:
                inner(value[key], _at(where, key))
    return _named(run, "an object")
