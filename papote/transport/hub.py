"""This node's connections, indexed by topic; hands each event's bytes to its subscribers.

Delivery is the hot path: one dictionary lookup per event, then for each
recipient one buffer append (or a set lookup when it blocked someone).
No per-recipient encoding: every recipient gets the same frame string.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable
from typing import Protocol

from papote.bus.base import Event, EventBus
from papote.transport.wire import text_frame


class Outbox:
    """What a connection still has to write. Bounded: a reader that falls too far behind is cut off."""

    __slots__ = ("_limit", "_waiter", "close_code", "frames", "hidden", "overflowed", "replay_buffer")

    def __init__(self, limit: int = 5000) -> None:
        self.frames: list[bytes] = []  # WebSocket frames, ready to write
        self.hidden: set[int] = set()
        self.replay_buffer: list[Event] | None = None
        self.overflowed = False
        self.close_code = 0
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None

    def push(self, event: Event, framed: bytes | None = None) -> None:
        if self.replay_buffer is not None:
            self.replay_buffer.append(event)
            return
        if self.hidden and event.sender_id in self.hidden:
            return
        self.push_bytes(framed if framed is not None else text_frame(event.frame))

    def push_frame(self, frame: str) -> None:
        self.push_bytes(text_frame(frame))

    def push_bytes(self, frame: bytes) -> None:
        if len(self.frames) >= self._limit:
            self.overflowed = True
        else:
            self.frames.append(frame)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def drain(self) -> list[bytes]:
        """Wait for frames, then take them all at once."""
        while not self.frames and not self.overflowed:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter
            self._waiter = None
        frames, self.frames = self.frames, []
        return frames


class Subscriber(Protocol):
    """What the hub needs from a connection."""

    person_id: int
    outbox: Outbox
    topics: set[str]


class Hub:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._by_topic: dict[str, set[Subscriber]] = defaultdict(set)
        self._by_person: dict[int, set[Subscriber]] = defaultdict(set)
        self.delivered = 0

    async def start(self) -> None:
        await self._bus.start(self.deliver)

    def deliver(self, event: Event) -> None:
        if (
            event.subscribe
            or event.unsubscribe
            or event.hide_sender
            or event.unhide_sender
            or event.close_code
        ):
            self._apply_control(event)
        subscribers = self._by_topic.get(event.topic)
        if not subscribers:
            return
        framed = text_frame(event.frame)  # once, for every recipient
        for subscriber in subscribers:
            subscriber.outbox.push(event, framed)
        self.delivered += len(subscribers)

    def _apply_control(self, event: Event) -> None:
        for subscriber in list(self._by_topic.get(event.topic, ())):
            if event.subscribe:
                self.subscribe(subscriber, event.subscribe)
            if event.unsubscribe:
                self.unsubscribe(subscriber, event.unsubscribe)
            if event.hide_sender:
                subscriber.outbox.hidden.add(event.hide_sender)
            if event.unhide_sender:
                subscriber.outbox.hidden.discard(event.unhide_sender)
            if event.close_code:  # the event's own frame is delivered below, then the writer closes
                subscriber.outbox.close_code = event.close_code

    def subscribe(self, subscriber: Subscriber, topic: str) -> None:
        if topic in subscriber.topics:
            return
        if not self._by_topic.get(topic):
            _spawn(self._bus.watch(topic))
        subscriber.topics.add(topic)
        self._by_topic[topic].add(subscriber)

    def unsubscribe(self, subscriber: Subscriber, topic: str) -> None:
        subscriber.topics.discard(topic)
        subscribers = self._by_topic.get(topic)
        if subscribers is None:
            return
        subscribers.discard(subscriber)
        if not subscribers:
            del self._by_topic[topic]
            _spawn(self._bus.unwatch(topic))

    def add(self, subscriber: Subscriber) -> None:
        self._by_person[subscriber.person_id].add(subscriber)

    def remove(self, subscriber: Subscriber) -> None:
        for topic in list(subscriber.topics):
            self.unsubscribe(subscriber, topic)
        people = self._by_person.get(subscriber.person_id)
        if people is not None:
            people.discard(subscriber)
            if not people:
                del self._by_person[subscriber.person_id]

    def connections_of(self, person_id: int) -> set[Subscriber]:
        return set(self._by_person.get(person_id, ()))

    def statistics(self) -> dict[str, int]:
        return {
            "topics": len(self._by_topic),
            "people": len(self._by_person),
            "connections": sum(len(s) for s in self._by_person.values()),
            "delivered": self.delivered,
        }


_background: set[asyncio.Task[None]] = set()


def _spawn(coroutine: Awaitable[None]) -> None:
    async def run() -> None:
        await coroutine

    task = asyncio.get_running_loop().create_task(run())
    _background.add(task)
    task.add_done_callback(_background.discard)
