"""papote.client: the async Python SDK, used by Papote's own tests and benchmarks.

    async with Client("http://127.0.0.1:8000") as alice:
        await alice.enter("Alice", datetime.date(1990, 5, 1))
        await alice.join("accueil")
        ack = await alice.send("accueil", "Bonjour !")
        event = await alice.next_event(timeout=5)

Every send carries a client-chosen id, so a resend after a dropped connection is
never stored twice. After a reconnect the client resumes from the last sequence
number it saw in each channel: no gap, no duplicate. See docs/protocol.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx
import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

MESSAGE_EVENTS = ("message", "private_message")


class PapoteError(Exception):
    """A refusal from the server (or a lost connection): `.code` is stable, `.message` is French."""

    def __init__(
        self, code: str, message: str = "", message_en: str = "", details: dict[str, Any] | None = None
    ):
        super().__init__(f"{code}: {message_en or message}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.details = details or {}

    @classmethod
    def from_frame(cls, frame: dict[str, Any]) -> PapoteError:
        texts = frame.get("message") or {}
        return cls(str(frame.get("code")), texts.get("fr", ""), texts.get("en", ""), frame.get("details"))


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    audience: str
    topic: str = ""
    kind: str = "public"
    members: int = 0
    joined: bool = False
    unread: int = 0
    allowed: bool = True


@dataclass(frozen=True)
class Ack:
    id: int
    seq: int
    channel: str
    client_id: str
    room: str | None = None
    conversation: int | None = None
    duplicate: bool = False
    flags: str = ""  # "held", "blur" or "tip" when the safety pipeline said so
    safety: dict[str, Any] | None = None  # what the sender is told: action, labels, reason, tip
    image_url: str | None = None  # a photo message: where it is fetched

    @property
    def held(self) -> bool:
        return "held" in self.flags

    @property
    def blurred(self) -> bool:
        return "blur" in self.flags


@dataclass(frozen=True)
class Event:
    type: str
    room: str | None = None
    sender: str | None = None
    text: str | None = None
    seq: int | None = None
    id: int | None = None
    channel: str | None = None
    conversation: int | None = None
    image_url: str | None = None
    blurred: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    decision_id: int | None = None  # statement_of_reasons, appeal_decided

    @classmethod
    def from_frame(cls, frame: dict[str, Any]) -> Event:
        return cls(
            type=frame["type"],
            room=frame.get("room") if isinstance(frame.get("room"), str) else None,
            sender=frame.get("sender") or frame.get("pseudo") or frame.get("by"),
            text=frame.get("text"),
            seq=frame.get("seq"),
            id=frame.get("id"),
            channel=frame.get("channel"),
            conversation=frame.get("conversation"),
            image_url=frame.get("image_url"),
            blurred=bool(frame.get("blurred", False)),
            data=frame,
            decision_id=frame.get("decision_id"),
        )


@dataclass(frozen=True)
class Case:
    """A case in the moderators' queue."""

    id: int
    priority: int
    category: str
    status: str
    target_id: str | None
    target_kind: str | None = None
    minor_involved: bool = False
    source: str = ""
    created_ms: int = 0
    claimed_by: int | None = None
    channel: str | None = None
    summary: str = ""

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> Case:
        return cls(**{k: item[k] for k in cls.__dataclass_fields__ if k in item})


@dataclass(frozen=True)
class HistoryItem:
    seq: int
    sender: str
    text: str
    id: int
    kind: str
    ts: int
    channel: str

    @classmethod
    def from_dict(cls, item: dict[str, Any]) -> HistoryItem:
        return cls(
            item["seq"], item["sender"], item["text"], item["id"], item["kind"], item["ts"], item["channel"]
        )


class Client:
    def __init__(self, base_url: str, *, include_own: bool = False, auto_reconnect: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.include_own = include_own
        self.auto_reconnect = auto_reconnect
        self.http = httpx.AsyncClient(base_url=self.base_url, timeout=30)
        self.joined_rooms: set[str] = set()  # rooms joined through this client
        self.person: dict[str, Any] | None = None
        self.positions: dict[str, int] = {}  # channel -> last sequence number seen
        self.connected = asyncio.Event()
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._refs = itertools.count(1)
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None

    @property
    def pseudo(self) -> str:
        """This client's pseudonym (after enter or login)."""
        if self.person is None:
            raise PapoteError("not_entered", "Pas encore entré·e.", "Not entered yet.")
        return str(self.person["pseudo"])

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object | TracebackType) -> None:
        await self.close()

    # --- entering ---------------------------------------------------------------------------

    async def enter(
        self, pseudo: str, birth_date: dt.date, gender: str | None = None, departement: str | None = None
    ) -> dict[str, Any]:
        body = {
            "pseudo": pseudo,
            "birth_date": birth_date.isoformat(),
            "gender": gender,
            "departement": departement,
            "accept_rules": True,
        }
        self.person = (await self._post("/api/enter", body))["person"]
        await self.connect()
        return self.person

    async def register(self, email: str, password: str) -> dict[str, Any]:
        self.person = (await self._post("/api/register", {"email": email, "password": password}))["person"]
        return self.person

    async def login(self, email: str, password: str) -> dict[str, Any]:
        self.person = (await self._post("/api/login", {"email": email, "password": password}))["person"]
        await self.connect()
        return self.person

    async def logout(self) -> None:
        await self._post("/api/logout", {})
        await self._disconnect()

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(path, json=body)
        data: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise PapoteError.from_frame(data)
        return data

    # --- connection ---------------------------------------------------------------------------

    async def connect(self) -> None:
        await self._disconnect()
        self._closing = False
        url = "ws" + self.base_url[len("http") :] + "/ws"
        cookies = "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())
        self._ws = await connect(url, additional_headers={"Cookie": cookies}, max_size=2**20)
        hello = orjson.loads(await self._ws.recv())
        if hello.get("type") == "error":  # not_authenticated, account_suspended
            await self._disconnect()
            raise PapoteError.from_frame(hello)
        if hello.get("type") != "hello":
            raise PapoteError("protocol_error", message_en=str(hello))
        self._reader = asyncio.create_task(self._read(self._ws))
        self.connected.set()
        if self.positions:
            await self._request({"type": "resume", "positions": dict(self.positions)})

    async def reconnect(self) -> None:
        """Open a fresh connection and resume every channel from the last sequence seen."""
        await self.connect()

    async def drop_connection(self) -> None:
        """Close the socket abruptly (as a network failure would), without reconnecting."""
        self.auto_reconnect = False
        await self._disconnect()

    async def close(self) -> None:
        self._closing = True
        await self._disconnect()
        await self.http.aclose()

    async def _disconnect(self) -> None:
        self.connected.clear()
        reader, self._reader = self._reader, None
        ws, self._ws = self._ws, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        self._fail_waiting()

    def _fail_waiting(self) -> None:
        waiting, self._waiting = self._waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(PapoteError("disconnected", "Connexion perdue.", "Connection lost."))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                await self._dispatch(ws, orjson.loads(raw))
        except ConnectionClosed:
            pass
        self.connected.clear()
        self._fail_waiting()
        if self.auto_reconnect and not self._closing:
            self._reconnecting = asyncio.create_task(self._reconnect_with_backoff())

    async def _reconnect_with_backoff(self) -> None:
        delay = 0.05
        for _ in range(60):
            await asyncio.sleep(delay)
            try:
                await self.connect()
                return
            except PapoteError as error:
                if error.code in ("account_suspended", "not_authenticated"):
                    return  # retrying cannot help: the session is over
            except (TimeoutError, OSError, ConnectionClosed):
                pass
            delay = min(delay * 2, 2.0)

    async def _dispatch(self, ws: ClientConnection, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind in ("reply", "error", "ack"):
            future = self._waiting.pop(str(frame.get("ref")), None)
            if kind == "ack":
                self._saw(frame.get("channel"), frame.get("seq"))
            if future is not None and not future.done():
                future.set_result(frame)
        elif kind == "ping":
            await ws.send(orjson.dumps({"type": "pong"}).decode())
        elif kind != "pong":
            self._on_event(frame)

    def _on_event(self, frame: dict[str, Any]) -> None:
        if frame.get("type") in MESSAGE_EVENTS:
            self._saw(frame.get("channel"), frame.get("seq"))
            own = self.person is not None and frame.get("sender") == self.person.get("pseudo")
            if own and not self.include_own:
                return
        self._events.put_nowait(Event.from_frame(frame))

    def _saw(self, channel: object, seq: object) -> None:
        if isinstance(channel, str) and isinstance(seq, int) and seq > self.positions.get(channel, 0):
            self.positions[channel] = seq

    async def _request(self, frame: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
        if self._ws is None:
            raise PapoteError("not_connected", "Pas de connexion.", "Not connected.")
        ref = str(next(self._refs))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ref] = future
        try:
            await self._ws.send(orjson.dumps({**frame, "ref": ref}).decode())
        except ConnectionClosed as error:
            self._waiting.pop(ref, None)
            raise PapoteError("disconnected", "Connexion perdue.", "Connection lost.") from error
        answer = await asyncio.wait_for(future, timeout)
        if answer["type"] == "error":
            raise PapoteError.from_frame(answer)
        return answer

    async def _data(self, frame: dict[str, Any]) -> Any:
        return (await self._request(frame)).get("data")

    # --- rooms ---------------------------------------------------------------------------------

    async def rooms(self) -> list[Room]:
        data = await self._data({"type": "rooms"})
        return [Room(**{k: r[k] for k in Room.__dataclass_fields__ if k in r}) for r in data["rooms"]]

    async def join(self, room_id: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._data({"type": "join", "room": room_id})
        for item in data["history"]:
            self._saw(item["channel"], item["seq"])
        self._saw(f"r:{room_id}", data["last_seq"])
        self.joined_rooms.add(room_id)
        return data

    async def leave(self, room_id: str) -> None:
        await self._data({"type": "leave", "room": room_id})
        self.positions.pop(f"r:{room_id}", None)
        self.joined_rooms.discard(room_id)

    async def members(self, room_id: str) -> list[dict[str, Any]]:
        data = await self._data({"type": "members", "room": room_id})
        return list(data["members"])

    async def create_room(self, name: str, audience: str, topic: str = "") -> dict[str, Any]:
        data = await self._data({"type": "create_room", "name": name, "audience": audience, "topic": topic})
        return dict(data["room"])

    async def invite(self, room_id: str, pseudo: str) -> None:
        await self._data({"type": "invite", "room": room_id, "pseudo": pseudo})

    async def decline_invitation(self, room_id: str) -> None:
        await self._data({"type": "invitation_decline", "room": room_id})

    # --- messages ------------------------------------------------------------------------------

    async def send(self, room_id: str, text: str, *, client_id: str | None = None) -> Ack:
        return await self._send({"room": room_id}, text, client_id)

    async def send_private(self, pseudo: str, text: str, *, client_id: str | None = None) -> Ack:
        return await self._send({"to": pseudo}, text, client_id)

    async def upload_image(self, data: bytes) -> dict[str, Any]:
        """Upload a photo (checked by the server before anything is kept); returns `{"image": id, ...}`."""
        response = await self.http.post(
            "/api/images", content=data, headers={"Content-Type": "application/octet-stream"}
        )
        body: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise PapoteError.from_frame(body)
        return body

    async def send_image(
        self, room_or_pseudo: str, path: str | Path, *, text: str = "", client_id: str | None = None
    ) -> Ack:
        """Send a photo to a joined room, or else privately to the person with that pseudonym."""
        uploaded = await self.upload_image(Path(path).read_bytes())
        target = {"room": room_or_pseudo} if room_or_pseudo in self.joined_rooms else {"to": room_or_pseudo}
        return await self._send({**target, "image": uploaded["image"]}, text, client_id)

    async def fetch_image(self, url: str) -> bytes:
        """A photo (or its thumbnail or blurred preview) by the URL an event carries, with this session."""
        response = await self.http.get(url)
        if response.status_code >= 400:
            raise PapoteError.from_frame(response.json())
        return response.content

    async def _send(self, target: dict[str, Any], text: str, client_id: str | None) -> Ack:
        frame = {"type": "send", "id": client_id or uuid.uuid4().hex, "text": text, **target}
        for attempt in range(5):
            try:
                answer = await self._request(frame)
                break
            except PapoteError as error:
                if (
                    error.code not in ("disconnected", "not_connected")
                    or not self.auto_reconnect
                    or attempt == 4
                ):
                    raise
                await asyncio.wait_for(self.connected.wait(), 30)  # same id: never stored twice
        return Ack(
            id=answer["id"],
            seq=answer["seq"],
            channel=answer["channel"],
            client_id=answer["client_id"],
            room=answer.get("room"),
            conversation=answer.get("conversation"),
            duplicate=answer.get("duplicate", False),
            flags=answer.get("flags", ""),
            safety=answer.get("safety"),
            image_url=answer.get("image_url"),
        )

    async def history(
        self, room_id: str, after_seq: int | None = 0, before_seq: int | None = None, limit: int = 100
    ) -> list[HistoryItem]:
        frame = {
            "type": "history",
            "room": room_id,
            "after_seq": after_seq,
            "before_seq": before_seq,
            "limit": limit,
        }
        data = await self._data(frame)
        return [HistoryItem.from_dict(m) for m in data["messages"]]

    async def private_history(
        self, pseudo: str, after_seq: int | None = 0, limit: int = 100
    ) -> list[HistoryItem]:
        data = await self._data({"type": "history", "with": pseudo, "after_seq": after_seq, "limit": limit})
        return [HistoryItem.from_dict(m) for m in data["messages"]]

    async def mark_read(self, room_id: str, seq: int) -> None:
        await self._data({"type": "read", "room": room_id, "seq": seq})

    async def mark_private_read(self, pseudo: str, seq: int) -> None:
        await self._data({"type": "read", "with": pseudo, "seq": seq})

    # --- private conversations -----------------------------------------------------------------

    async def accept_private(self, pseudo: str) -> dict[str, Any]:
        data: dict[str, Any] = await self._data({"type": "private_accept", "pseudo": pseudo})
        for item in data["history"]:
            self._saw(item["channel"], item["seq"])
        return data

    async def decline_private(self, pseudo: str) -> None:
        await self._data({"type": "private_decline", "pseudo": pseudo})

    async def block(self, pseudo: str) -> None:
        await self._data({"type": "block", "pseudo": pseudo})

    async def unblock(self, pseudo: str) -> None:
        await self._data({"type": "unblock", "pseudo": pseudo})

    async def conversations(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._data({"type": "conversations"})
        return data

    # --- reports and moderation ----------------------------------------------------------------

    async def report(self, kind: str, target_id: int | str, category: str, text: str | None = None) -> int:
        """Report a message or image (its id), a user (pseudonym), a room (id) or a conversation (id)."""
        frame = {"type": "report", "kind": kind, "target_id": target_id, "category": category, "text": text}
        return int((await self._data(frame))["report"])

    async def public_report(
        self, kind: str, target_id: int | str, category: str, text: str | None = None
    ) -> int:
        """The public report page's request: plain HTTP, no session needed."""
        body = {"kind": kind, "target_id": target_id, "category": category, "text": text}
        response = await self.http.post("/api/reports", json=body)
        data: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise PapoteError.from_frame(data)
        return int(data["report"])

    async def cases(self, status: str = "open") -> list[Case]:
        """Moderators: the queue, most urgent first (`open` includes claimed cases)."""
        data = await self._data({"type": "cases", "status": status})
        return [Case.from_dict(item) for item in data["cases"]]

    async def case(self, case_id: int) -> dict[str, Any]:
        """Moderators: one case with its reports, frozen evidence and the person's history."""
        data = await self._data({"type": "case", "case_id": case_id})
        return dict(data["case"])

    async def claim(self, case_id: int, assign_to: str | None = None) -> None:
        """Moderators: take a case; a global moderator may give it to another moderator (`assign_to`)."""
        frame: dict[str, Any] = {"type": "claim", "case_id": case_id}
        if assign_to is not None:
            frame["assign_to"] = assign_to
        await self._data(frame)

    async def act(self, case_id: int, action: str, reason: str, duration: int | None = None) -> int:
        """Moderators: decide a case; returns the decision id. `duration` in seconds (mute, suspend,
        room_ban; for remove_messages the period before now whose messages are removed)."""
        frame = {"type": "act", "case_id": case_id, "action": action, "reason": reason, "duration": duration}
        return int((await self._data(frame))["decision"])

    async def room_tools(self, room: str, **settings: int | bool) -> dict[str, Any]:
        """Moderators of the room: `slow_mode` (seconds), `registered_only`, `hold_new_arrivals`, `locked`;
        returns every tool's current value."""
        return dict((await self._data({"type": "room_tools", "room": room, **settings}))["tools"])

    async def appeal(self, decision_id: int, text: str) -> int:
        """Contest a decision taken about you (six months, once); returns the appeal id.

        Over HTTP, so that it works while suspended (the WebSocket is closed to a suspended person)."""
        return int((await self._post("/api/appeals", {"decision_id": decision_id, "text": text}))["appeal"])

    async def decisions(self) -> list[dict[str, Any]]:
        """The decisions taken about you, newest first (also while suspended)."""
        response = await self.http.get("/api/decisions")
        body: dict[str, Any] = response.json()
        if response.status_code >= 400:
            raise PapoteError.from_frame(body)
        return list(body["decisions"])

    async def appeals(self) -> list[dict[str, Any]]:
        """Moderators: open appeals, oldest first."""
        return list((await self._data({"type": "appeals"}))["appeals"])

    async def decide_appeal(self, appeal_id: int, outcome: str, reason: str) -> None:
        """Moderators (never the one who decided): `uphold` or `reverse`."""
        await self._data(
            {"type": "decide_appeal", "appeal_id": appeal_id, "outcome": outcome, "reason": reason}
        )

    # --- events --------------------------------------------------------------------------------

    async def next_event(self, timeout: float = 5.0) -> Event:
        """The next event (own messages are skipped unless include_own). Raises TimeoutError."""
        return await asyncio.wait_for(self._events.get(), timeout)

    async def wait_for(
        self, type_: str, timeout: float = 5.0, where: Callable[[Event], bool] | None = None
    ) -> Event:
        """Skip events until one of this type (and matching `where`) arrives."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = await self.next_event(max(0.001, deadline - loop.time()))
            if event.type == type_ and (where is None or where(event)):
                return event

    def pending_events(self) -> list[Event]:
        found = []
        while not self._events.empty():
            found.append(self._events.get_nowait())
        return found
