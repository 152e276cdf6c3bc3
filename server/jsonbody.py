"""Reading a REST JSON body with bounds: nesting depth, integer length, finite numbers.

The standard json module recurses once per nesting level (100,000 levels raised RecursionError, a
500), turns 5,000-digit integers into a ValueError (another 500), and accepts NaN, Infinity and 1e999,
which no field can use. Here each of them is a 400 INVALID_JSON with the reason. The standard module
is kept (not orjson, as on the WebSocket) because it decodes lone surrogates (`"\\udfff"`), which then
reach the schemas and get their field's 422 (schemas.common.StorableStrings) instead of a parse error.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .http_errors import BadRequest

MAX_DEPTH = 32  # no request body of this API nests more than 3 levels
MAX_INT_DIGITS = 40  # far above any id (19 digits), far below the cost of a huge int


class _Refused(ValueError):
    """A number the bounds refuse (raised from the parser's hooks)."""


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"integer of {len(text)} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"number {text[:40]} is out of range")
    return value


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"{name} is not a number JSON allows")


def depth(value: Any) -> int:
    """Nesting depth of a parsed value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            deepest = max(deepest, level)
            continue
        deepest = max(deepest, level + 1)
        stack.extend((child, level + 1) for child in item)
    return deepest


def parse_json(text: str) -> Any:
    """Parse a request body; raises BadRequest (400, INVALID_JSON) with the reason for anything unbounded."""
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_refuse_constant)
    except RecursionError:
        raise BadRequest("request body is not valid JSON", {"reason": "nested too deeply"}, "INVALID_JSON") from None
    except _Refused as exc:
        raise BadRequest("request body is not valid JSON", {"reason": str(exc)}, "INVALID_JSON") from None
    except json.JSONDecodeError as exc:
        raise BadRequest("request body is not valid JSON", {"reason": str(exc)}, "INVALID_JSON") from None
    if depth(value) > MAX_DEPTH:
        reason = f"nested deeper than {MAX_DEPTH} levels"
        raise BadRequest("request body is not valid JSON", {"reason": reason}, "INVALID_JSON")
    return value
