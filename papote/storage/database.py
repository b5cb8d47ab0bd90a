"""Engine creation and schema migration for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, synchronous: str = "FULL") -> AsyncEngine:
    if is_sqlite(url):
        return _create_sqlite_engine(url, synchronous)
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _create_sqlite_engine(url: str, synchronous: str) -> AsyncEngine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30})
    _configure_sqlite(engine.sync_engine, synchronous)
    return engine


def create_sqlite_writer_engine(url: str, *, synchronous: str = "FULL") -> Engine:
    """A plain (thread-side) engine for SQLite's one writer: a whole transaction in one trip to its thread,
    where the async driver would hop between threads for every statement."""
    plain = "sqlite:///" + url.split("///", 1)[1]
    engine = create_sync_engine(plain, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=1)
    _configure_sqlite(engine, synchronous)
    return engine


def _configure_sqlite(engine: Engine, synchronous: str) -> None:
    mode = synchronous if synchronous in ("OFF", "NORMAL", "FULL", "EXTRA") else "FULL"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy own transactions (pysqlite's own BEGIN handling is unreliable) ...
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # ... and take the write lock up front: a deferred transaction that reads, then writes,
        # fails at once with "database is locked" when another writer got in between.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (creates it on first start)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


def migrate_blocking(engine: AsyncEngine) -> None:
    asyncio.run(migrate(engine))
