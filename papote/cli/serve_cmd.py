"""`papote serve`: run the chat server (creates the schema and default rooms on first start)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import uvicorn


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    add_storage_options: Callable[[argparse.ArgumentParser], None],
) -> None:
    parser = commands.add_parser("serve", help="run the server")
    parser.add_argument("--host", help="address to listen on (env PAPOTE_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (env PAPOTE_PORT, default 8000)")
    add_storage_options(parser)
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    from papote.app import create_app
    from papote.cli.main import settings_from

    settings = settings_from(args)
    database = _safe_url(settings.resolved_database_url)
    print(f"Papote sur http://{settings.host}:{settings.port}/  (base : {database})")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=False,  # access logs would hold full IP addresses
        ws="websockets-sansio",
        ws_per_message_deflate=False,  # compression would cost CPU per recipient: frames are encoded once
        log_level="info",
        log_config=None,  # keep our handlers, which redact addresses
        proxy_headers=False,
    )
    return 0


def _safe_url(url: str) -> str:
    """Never print a database password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
