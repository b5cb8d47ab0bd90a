"""WebSocket frames encoded once and written straight to each connection's socket.

A server-to-client text frame is the same bytes for every recipient (servers do not mask, and
Papote turns compression off), so an event is framed once and each delivery is one buffer
append and one `transport.write` of everything ready: no per-recipient encoding, no pass
through the ASGI layers. Where the server is not uvicorn's sans-I/O WebSocket protocol, the
connection falls back to plain ASGI sends.
"""

from __future__ import annotations

import struct
from typing import Any

RAW_SEND_KEY = "papote.raw_send"
_TEXT = 0x81  # FIN + text opcode


def text_frame(payload: str) -> bytes:
    data = payload.encode()
    size = len(data)
    if size < 126:
        return bytes((_TEXT, size)) + data
    if size < 65536:
        return struct.pack("!BBH", _TEXT, 126, size) + data
    return struct.pack("!BBQ", _TEXT, 127, size) + data


def payload_of(frame: bytes) -> str:
    """The text inside a frame made by `text_frame` (for the ASGI fallback)."""
    size = frame[1]
    start = 2 if size < 126 else 4 if size == 126 else 10
    return frame[start:].decode()


class RawWriter:
    """Writes ready frames to the socket under uvicorn's sans-I/O WebSocket protocol."""

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    @classmethod
    def for_send(cls, send: object) -> RawWriter | None:
        protocol = getattr(send, "__self__", None)
        if type(protocol).__name__ != "WebSocketsSansIOProtocol":
            return None
        if not all(hasattr(protocol, name) for name in ("transport", "writable", "disconnected")):
            return None
        return cls(protocol)

    async def write(self, frames: list[bytes]) -> int:
        """Write the frames; return how many bytes wait in the socket's buffer (a slow reader)."""
        protocol = self._protocol
        await protocol.writable.wait()  # uvicorn pauses writing when the socket buffer is full
        transport = protocol.transport
        if protocol.disconnected or transport.is_closing():
            raise ConnectionError("WebSocket closed")
        transport.write(b"".join(frames))
        return int(transport.get_write_buffer_size())


class CaptureRawSend:
    """Outermost middleware: keeps the server's own `send` for WebSocket scopes, before any wrapper."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            scope[RAW_SEND_KEY] = send
        await self.app(scope, receive, send)

    def __getattr__(self, name: str) -> Any:  # state, routes… of the wrapped application
        return getattr(self.app, name)
