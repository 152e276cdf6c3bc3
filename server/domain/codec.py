"""Events as JSON-ready dicts and back: the form in which they would cross to another process.

Generic over the frozen dataclasses of server/domain (records and events): datetimes become ISO
8601 text, bytes base64, tuples lists; the event's class name travels as `type`. Decoding follows
the dataclasses' type hints, so a new event or record needs no code here.
"""

from __future__ import annotations

import base64
import dataclasses
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any

from .events import EVENT_TYPES, DomainEvent

_EVENTS = {cls.__name__: cls for cls in EVENT_TYPES}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def encode_event(event: DomainEvent) -> dict[str, Any]:
    """`{"type": <class name>, "data": {...}}` with only JSON types inside."""
    return {"type": type(event).__name__, "data": _plain(event)}


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _build(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _build(options[0], value)
    if origin is tuple:  # tuple[X, ...]: every item of one type
        item = typing.get_args(hint)[0]
        return tuple(_build(item, v) for v in value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        fields = (f.name for f in dataclasses.fields(hint) if f.name in value)
        return hint(**{name: _build(hints[name], value[name]) for name in fields})
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is bytes:
        return base64.b64decode(value)
    return value


def decode_event(data: dict[str, Any]) -> DomainEvent:
    """The event encode_event() described; raises KeyError or TypeError on anything else."""
    cls = _EVENTS[data["type"]]
    return _build(cls, data["data"])  # type: ignore[no-any-return]
