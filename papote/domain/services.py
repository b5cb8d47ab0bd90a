"""What every domain action needs: the database, the bus, the message log, the settings."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from papote.bus.base import EventBus
from papote.domain.room_rules import RoomRules
from papote.domain.safety_gate import SafetyGate
from papote.settings import Settings
from papote.storage.message_log import MessageLog

if TYPE_CHECKING:
    from papote.domain.images import ImageServices


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    bus: EventBus
    log: MessageLog
    gate: SafetyGate
    images: ImageServices | None = None  # None in tools that never touch photos
    room_rules: RoomRules = field(default_factory=RoomRules)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as connection:
            yield connection

    def keyed_hash(self, value: str) -> str:
        """A stable pseudonymous hash (for IP addresses and devices): never store them in clear."""
        return hmac.new(self.settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()
