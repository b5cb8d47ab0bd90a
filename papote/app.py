"""create_app(settings) -> the ASGI application. The lifespan wires storage, bus and hub."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from papote.bus.base import EventBus
from papote.bus.local import LocalBus
from papote.domain import images, retention, rooms
from papote.domain.safety_gate import SafetyGate
from papote.domain.services import Services
from papote.settings import Settings
from papote.storage.database import create_engine, create_sqlite_writer_engine, is_sqlite, migrate
from papote.storage.message_log import MessageLog
from papote.transport import http, websocket
from papote.transport.hub import Hub
from papote.transport.wire import CaptureRawSend
from papote.web import pages

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 3600


async def prepare_services(settings: Settings, bus: EventBus | None = None) -> Services:
    """Open the database (creating the schema and default rooms on first start)."""
    settings = settings.ensure_secret_key()
    engine = create_engine(settings.resolved_database_url, synchronous=settings.sqlite_synchronous)
    await migrate(engine)
    bus = bus or LocalBus()
    url = settings.resolved_database_url
    writer = (
        create_sqlite_writer_engine(url, synchronous=settings.sqlite_synchronous) if is_sqlite(url) else None
    )
    services = Services(settings, engine, bus, MessageLog(engine, bus, writer), SafetyGate(settings))
    services.images = images.ImageServices.create(settings)
    await rooms.ensure_default_rooms(services)
    await images.refresh_banks(services)
    return services


async def _refresh_banks_forever(services: Services) -> None:
    """Hashes added by the CLI, a moderator or another node reach this node's matcher within seconds."""
    while True:
        await asyncio.sleep(services.settings.bank_refresh_seconds)
        try:
            await images.refresh_banks(services)
        except Exception:
            log.exception("refreshing the hash banks failed")


async def _purge_forever(services: Services) -> None:
    while True:
        try:
            report = await retention.purge(services)
            log.info("retention purge: %s", report)
        except Exception:
            log.exception("retention purge failed")
        await asyncio.sleep(PURGE_EVERY_SECONDS)


def create_app(settings: Settings | None = None, bus: EventBus | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        services = await prepare_services(settings, bus)
        services.gate.warm_up()  # the first message must not pay for loading lexicons and the model
        hub = Hub(services.bus)
        await hub.start()
        services.log.start()
        app.state.services, app.state.hub = services, hub
        purge = asyncio.create_task(_purge_forever(services))
        banks = asyncio.create_task(_refresh_banks_forever(services))
        try:
            yield
        finally:
            purge.cancel()
            banks.cancel()
            images.image_services(services).workers.close()
            await services.log.close()
            await services.bus.close()
            await services.engine.dispose()

    async def ws_endpoint(ws: WebSocket) -> None:
        await websocket.serve(ws, ws.app.state.services, ws.app.state.hub)

    routes = [*http.ROUTES, WebSocketRoute("/ws", ws_endpoint), *pages.ROUTES]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(pages.SecurityHeaders)])
    return CaptureRawSend(app)  # type: ignore[return-value]
