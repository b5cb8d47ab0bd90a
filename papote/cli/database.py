"""The database alone, for commands that need neither the chat's services nor its safety pipeline."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine


async def open_engine(args: argparse.Namespace) -> AsyncEngine:
    """The database named by the flags and environment, its schema brought up to date."""
    from papote.cli.main import settings_from
    from papote.storage.database import create_engine, migrate

    settings = settings_from(args)
    engine = create_engine(settings.resolved_database_url, synchronous=settings.sqlite_synchronous)
    try:
        await migrate(engine)
    except BaseException:
        await engine.dispose()
        raise
    return engine


@asynccontextmanager
async def database(args: argparse.Namespace) -> AsyncIterator[AsyncEngine]:
    """`open_engine`, closed again when the command is done."""
    engine = await open_engine(args)
    try:
        yield engine
    finally:
        await engine.dispose()
