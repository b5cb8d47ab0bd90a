"""Wire format of the WebSocket protocol: JSON text frames, one object each (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

import orjson

from papote.domain.errors import PapoteRefusal

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 16_384


def decode(raw: str) -> dict[str, Any]:
    if len(raw) > MAX_FRAME_BYTES:
        raise PapoteRefusal("frame_too_large")
    try:
        frame = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise PapoteRefusal("bad_request") from error
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise PapoteRefusal("bad_request")
    return frame


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def reply(ref: object, data: Any = None) -> str:
    return encode({"type": "reply", "ref": ref, "data": data})


def error(ref: object, refusal: PapoteRefusal) -> str:
    return encode({"type": "error", "ref": ref, **refusal.as_dict()})


def int_field(
    frame: dict[str, Any], name: str, default: int | None = None, *, minimum: int = 0
) -> int | None:
    value = frame.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise PapoteRefusal("bad_request", details={"field": name})
    return value


def str_field(frame: dict[str, Any], name: str) -> str:
    value = frame.get(name)
    if not isinstance(value, str) or not value:
        raise PapoteRefusal("bad_request", details={"field": name})
    return value
