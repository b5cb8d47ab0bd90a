"""Alembic environment: runs on the connection handed over by `papote.storage.database.migrate`."""

from __future__ import annotations

from alembic import context

from papote.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations through `papote db upgrade` (papote.storage.database.migrate).")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
