"""Scripted people for the screenshot: the HTTP entry, then the WebSocket protocol, synchronously."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

from papote.transport.websocket import SESSION_COOKIE


class Bot:
    """Someone who enters, joins rooms and talks, without a browser."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=10)
        self.ws: ClientConnection | None = None
        self._refs = itertools.count(1)
        self._open = ExitStack()  # websockets wants its connection used as a context manager

    def enter(
        self, pseudo: str, born: dt.date, gender: str | None = None, departement: str | None = None
    ) -> Bot:
        body = {
            "pseudo": pseudo,
            "birth_date": born.isoformat(),
            "gender": gender,
            "departement": departement,
        }
        response = self.http.post("/api/enter", json={**body, "accept_rules": True})
        response.raise_for_status()
        cookie = f"{SESSION_COOKIE}={self.http.cookies[SESSION_COOKIE]}"
        url = "ws" + self.base_url.removeprefix("http") + "/ws"
        self.ws = self._open.enter_context(connect(url, additional_headers={"Cookie": cookie}))
        hello = json.loads(self.ws.recv(timeout=10))
        assert hello["type"] == "hello", hello
        return self

    def command(self, frame: dict[str, Any]) -> dict[str, Any]:
        """Send one command and wait for its answer, skipping the events that arrive meanwhile."""
        assert self.ws is not None
        ref = str(next(self._refs))
        self.ws.send(json.dumps({**frame, "ref": ref}))
        while True:
            answer = json.loads(self.ws.recv(timeout=10))
            if answer.get("ref") != ref:
                continue
            if answer["type"] == "error":
                raise AssertionError(answer)
            return dict(answer)

    def join(self, room: str) -> Bot:
        self.command({"type": "join", "room": room})
        return self

    def say(self, room: str, text: str) -> None:
        self.command({"type": "send", "room": room, "id": uuid.uuid4().hex, "text": text})

    def write_to(self, pseudo: str, text: str) -> None:
        self.command({"type": "send", "to": pseudo, "id": uuid.uuid4().hex, "text": text})

    def send_image(self, room: str, path: Path) -> dict[str, Any]:
        """Upload a photo as the web client does (the raw file as the body), then send it to a joined room."""
        headers = {"Content-Type": "application/octet-stream"}
        # The first photo a server checks starts its photo worker and loads the nudity model: seconds.
        response = self.http.post("/api/images", content=path.read_bytes(), headers=headers, timeout=60)
        assert response.status_code == 201, response.text
        image = response.json()["image"]
        return self.command(
            {"type": "send", "room": room, "id": uuid.uuid4().hex, "image": image, "text": ""}
        )

    def report(self, kind: str, target_id: int | str, category: str, text: str | None = None) -> int:
        """Report a message, a photo, a person, a room or a conversation; returns the report id."""
        frame = {"type": "report", "kind": kind, "target_id": target_id, "category": category, "text": text}
        return int(self.command(frame)["data"]["report"])

    def close(self) -> None:
        self._open.close()
        self.http.close()
