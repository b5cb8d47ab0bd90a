"""One WebSocket connection: authenticate, subscribe, then read commands and write events.

Reading and writing are separate tasks: a slow reader never slows a sender,
and the writer hands whole batches of ready frames to the socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from papote.bus.base import Event
from papote.domain import connections, people, private, rooms
from papote.domain.errors import PapoteRefusal
from papote.domain.events import image_urls
from papote.domain.messages import Sent
from papote.domain.model import Person, StoredMessage, person_topic
from papote.domain.services import Services
from papote.transport import protocol
from papote.transport.hub import Hub, Outbox
from papote.transport.wire import RAW_SEND_KEY, RawWriter, payload_of

log = logging.getLogger(__name__)
SESSION_COOKIE = "papote_session"
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN_ORIGIN = 4403
CLOSE_SUSPENDED = 4403
CLOSE_TOO_SLOW = 4408
CLOSE_IDLE = 4000
HISTORY_MAX = 500
MAX_UNSENT_BYTES = 4 * 2**20  # a reader this far behind is cut off, and resumes when it reconnects

Handler = Callable[["Connection", dict[str, Any]], Awaitable[Any]]
HANDLERS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        HANDLERS[name] = handler
        return handler

    return register


def origin_allowed(websocket: WebSocket) -> bool:
    """Refuse cross-site pages using a visitor's cookie (cross-site WebSocket hijacking)."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


async def serve(websocket: WebSocket, services: Services, hub: Hub) -> None:
    if not origin_allowed(websocket):
        await websocket.close(CLOSE_FORBIDDEN_ORIGIN)  # before accepting: the handshake fails with 403
        return
    token = websocket.cookies.get(SESSION_COOKIE)
    try:
        person = await people.authenticate(services, token)
    except PapoteRefusal as refusal:  # suspended
        await websocket.accept()
        await websocket.send_text(protocol.error(None, refusal))
        await websocket.close(CLOSE_SUSPENDED)
        return
    await websocket.accept()
    if person is None or token is None:
        # accepted first, so that a client can tell "session over" from a network failure
        await websocket.send_text(protocol.error(None, PapoteRefusal("not_authenticated")))
        await websocket.close(CLOSE_UNAUTHENTICATED)
        return
    await people.touch(services, token, person)
    peer = (websocket.client.host, websocket.client.port) if websocket.client else None
    await connections.record(
        services, person.id, "connect", peer, websocket.cookies.get(connections.DEVICE_COOKIE)
    )
    await Connection(websocket, services, hub, person).run()


class Connection:
    def __init__(self, websocket: WebSocket, services: Services, hub: Hub, person: Person) -> None:
        self.websocket = websocket
        self.services = services
        self.hub = hub
        self.person = person
        self.person_id = person.id
        self.outbox = Outbox()
        self.topics: set[str] = set()
        self.private_order = asyncio.Lock()  # private sends are checked one at a time, in arrival order
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        self.hub.add(self)
        writer = asyncio.create_task(self._write_loop())
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            await self._subscribe_initial()
            await self._read_loop()
        finally:
            self.hub.remove(self)
            for task in (writer, heartbeat, *self._tasks):
                task.cancel()
            await asyncio.gather(writer, heartbeat, *self._tasks, return_exceptions=True)

    async def _subscribe_initial(self) -> None:
        self.outbox.hidden = await private.blocked_people(self.services, self.person)
        self.hub.subscribe(self, person_topic(self.person.id))
        room_ids = await rooms.my_rooms(self.services, self.person)
        await rooms.refresh_rules(self.services, room_ids)
        for room_id in room_ids:
            self.hub.subscribe(self, f"room:{room_id}")
        hello = {
            "type": "hello",
            "protocol": protocol.PROTOCOL_VERSION,
            "person": {
                **self.person.public(),
                "registered": self.person.registered,
                "role": self.person.role,
            },
            "rooms": sorted(t.removeprefix("room:") for t in self.topics if t.startswith("room:")),
            "heartbeat_seconds": self.services.settings.heartbeat_seconds,
        }
        self.outbox.push_frame(protocol.encode(hello))

    async def _read_loop(self) -> None:
        idle_limit = self.services.settings.heartbeat_seconds * 3
        while True:
            try:
                message = await asyncio.wait_for(self.websocket.receive(), timeout=idle_limit)
            except TimeoutError:
                await self._close(CLOSE_IDLE)
                return
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            if raw is None:
                raw = (message.get("bytes") or b"").decode("utf-8", "replace")
            await self._handle(raw)

    async def _handle(self, raw: str) -> None:
        ref: object = None
        try:
            frame = protocol.decode(raw)
            ref = frame.get("ref")
            handler = HANDLERS.get(frame["type"])
            if handler is None:
                raise PapoteRefusal("unknown_command", details={"type": frame["type"]})
            await handler(self, frame)
        except PapoteRefusal as refusal:
            self.outbox.push_frame(protocol.error(ref, refusal))
        except Exception:
            log.exception("command failed")
            self.outbox.push_frame(protocol.error(ref, PapoteRefusal("internal_error")))

    async def _write_loop(self) -> None:
        raw = RawWriter.for_send(self.websocket.scope.get(RAW_SEND_KEY))
        while True:
            frames = await self.outbox.drain()
            if raw is not None:
                if await raw.write(frames) > MAX_UNSENT_BYTES:
                    self.outbox.overflowed = True
            else:
                for frame in frames:
                    await self.websocket.send_text(payload_of(frame))
            if self.outbox.overflowed:
                await self._close(CLOSE_TOO_SLOW)
                return
            if self.outbox.close_code:
                await self._close(self.outbox.close_code)
                return

    async def _heartbeat(self) -> None:
        ping = protocol.encode({"type": "ping"})
        while True:
            await asyncio.sleep(self.services.settings.heartbeat_seconds)
            self.outbox.push_frame(ping)

    async def _close(self, code: int) -> None:
        with contextlib.suppress(RuntimeError):
            await self.websocket.close(code)

    def reply(self, ref: object, data: Any = None) -> None:
        self.outbox.push_frame(protocol.reply(ref, data))

    def spawn(self, coroutine: Awaitable[None]) -> None:
        async def run() -> None:
            await coroutine

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def start_buffering(self) -> None:
        self.outbox.replay_buffer = []

    def stop_buffering(self, delivered: dict[str, int]) -> None:
        """Release events that arrived meanwhile, minus what the reply already carried."""
        buffered = self.outbox.replay_buffer or []
        self.outbox.replay_buffer = None
        for event in buffered:
            if event.channel in delivered and event.seq <= delivered[event.channel]:
                continue
            self.outbox.push(event)

    async def acknowledge(self, ref: object, pending: Awaitable[Sent]) -> None:
        try:
            sent = await pending
        except PapoteRefusal as refusal:
            self.outbox.push_frame(protocol.error(ref, refusal))
            return
        except Exception:
            log.exception("storing a message failed")
            self.outbox.push_frame(protocol.error(ref, PapoteRefusal("internal_error")))
            return
        self.outbox.push_frame(protocol.encode(ack_frame(ref, sent.message, sent.notice)))


def ack_frame(ref: object, stored: StoredMessage, notice: dict[str, Any] | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "ack",
        "ref": ref,
        "id": stored.id,
        "client_id": stored.client_id,
        "channel": stored.channel,
        "seq": stored.seq,
        "duplicate": stored.duplicate,
    }
    if stored.flags:
        frame["flags"] = stored.flags
    if stored.image_id is not None:
        frame |= image_urls(stored.id)
    if notice is not None:
        frame["safety"] = notice
    kind, _, key = stored.channel.partition(":")
    if kind == "r":
        frame["room"] = key
    else:
        frame["conversation"] = int(key)
    return frame


# Importing the commands registers them.
from papote.transport import commands as _commands  # noqa: E402,F401

__all__ = ["Connection", "Event", "serve"]
