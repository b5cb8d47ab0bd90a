"""The one small interface every delivery goes through.

An `Event` is encoded once (its `frame` is the exact text sent to clients) and
handed to every subscriber of its topic. Nothing outside this package may
assume that publisher and subscribers share a process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Event:
    topic: str  # "room:<id>" or "person:<id>"
    frame: str  # JSON text, serialised once for every recipient
    channel: str = ""  # message log it belongs to ("r:…", "d:…"); empty for notices
    seq: int = 0
    sender_id: int = 0  # lets a recipient hide people they blocked, without decoding the frame
    # Control events tell every node to (un)subscribe a person's connections to a topic.
    subscribe: str = ""
    unsubscribe: str = ""
    hide_sender: int = 0  # the recipient blocked this person: hide their room messages
    unhide_sender: int = 0
    close_code: int = 0  # close this person's connections (a suspension) with this WebSocket code


Deliver = Callable[[Event], None]


class EventBus(Protocol):
    async def start(self, deliver: Deliver) -> None:
        """Begin handing published events to `deliver` (called on the event loop)."""

    async def publish(self, events: Sequence[Event]) -> None:
        """Publish in order. Subscribers see events of one topic in publication order."""

    async def watch(self, topic: str) -> None:
        """This node has a local subscriber for `topic` (a no-op for a single process)."""

    async def unwatch(self, topic: str) -> None:
        """This node has no local subscriber left for `topic`."""

    async def close(self) -> None: ...
