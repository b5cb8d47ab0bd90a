"""Shared fixtures: a real Papote server per database backend, reached over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ServerProcess, new_postgres_database

BACKENDS = ["sqlite", "postgres"]


def make_server(backend: str, data_dir: Path, **env: str) -> ServerProcess:
    database = new_postgres_database() if backend == "postgres" else ""
    return ServerProcess(data_dir=data_dir, database=database, env=env).start()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One running server per backend, shared by the tests that only need a server."""
    process = make_server(backend, tmp_path_factory.mktemp(f"server-{backend}"))
    yield process
    process.stop()


@pytest.fixture
def fresh_server(backend: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own, for tests that kill or restart it."""
    process = make_server(backend, tmp_path)
    yield process
    process.stop()
