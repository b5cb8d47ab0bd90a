"""Audience, slow mode and emergency tools per room, shared by this node's connections.

Sending must decide synchronously (messages keep their arrival order), so rules are read from memory;
an entry older than a few seconds is re-read from the database in the background. An operator's change
(CLI, console, another node) thus reaches every open connection within seconds, not only new ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

STRICTEST = ("all", 0)  # unknown room (joined from another tab): the strictest audience rules
REFRESH_AFTER_SECONDS = 5.0


@dataclass(frozen=True)
class RoomTools:
    """What moderators switched on in a room (papote/moderation/room_tools.py)."""

    registered_only: bool = False  # guests may not write
    hold_new_arrivals: bool = False  # messages of people new to Papote wait for review
    locked: bool = False  # only moderators may write
    moderator_ids: frozenset[int] = frozenset()  # the room's own moderators, who may write when locked


NO_TOOLS = RoomTools()


@dataclass
class RoomRules:
    refresh_after: float = REFRESH_AFTER_SECONDS
    clock: Callable[[], float] = time.monotonic
    _known: dict[str, tuple[str, int, float]] = field(default_factory=dict)
    _tools: dict[str, RoomTools] = field(default_factory=dict)
    _refreshing: set[str] = field(default_factory=set)

    def get(self, room_id: str) -> tuple[str, int]:
        found = self._known.get(room_id)
        return (found[0], found[1]) if found else STRICTEST

    def tools(self, room_id: str) -> RoomTools:
        return self._tools.get(room_id, NO_TOOLS)

    def put(
        self, room_id: str, audience: str, slow_mode_seconds: int, tools: RoomTools | None = None
    ) -> None:
        """`tools` None keeps what is known (a join reply carries the audience and slow mode only)."""
        self._known[room_id] = (audience, slow_mode_seconds, self.clock())
        if tools is not None:
            self._tools[room_id] = tools
        self._refreshing.discard(room_id)

    def claim_refresh(self, room_id: str) -> bool:
        """True once per stale period: the caller should re-read this room's rules."""
        found = self._known.get(room_id)
        if found is not None and self.clock() - found[2] < self.refresh_after:
            return False
        if room_id in self._refreshing:
            return False
        self._refreshing.add(room_id)
        return True

    def release(self, room_id: str) -> None:
        self._refreshing.discard(room_id)
