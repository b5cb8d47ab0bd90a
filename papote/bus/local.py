"""The in-process bus: one node, delivery is a direct call."""

from __future__ import annotations

from collections.abc import Sequence

from papote.bus.base import Deliver, Event


class LocalBus:
    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self.published = 0

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver

    async def publish(self, events: Sequence[Event]) -> None:
        deliver = self._deliver
        if deliver is None:
            return
        for event in events:
            deliver(event)
        self.published += len(events)

    async def watch(self, topic: str) -> None:
        return None

    async def unwatch(self, topic: str) -> None:
        return None

    async def close(self) -> None:
        self._deliver = None
