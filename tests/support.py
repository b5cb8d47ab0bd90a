"""Real servers for tests: `papote serve` in a child process on a free port, SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from papote.client import Client

ROOT = Path(__file__).resolve().parent.parent
ADULT = dt.date(1990, 6, 15)
MINOR = dt.date.today().replace(year=dt.date.today().year - 15, day=1)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(component: str) -> None:
    """A missing component fails under CI (it must be installed there) and skips elsewhere."""
    if in_ci():
        pytest.fail(f"{component} is required under CI")
    pytest.skip(f"{component} is not available here")


# Plain syllables: random letters can spell a word the pseudonym check rightly refuses.
_SYLLABLES = ("ma", "lo", "ri", "ta", "no", "su", "vi", "da", "ko", "fa", "mi", "re", "sol", "ba", "lu")


def pseudo(prefix: str = "u") -> str:
    """A fresh pseudonym per call (tests share servers), in letters: it never looks like a phone number.

    Never the same (nor a look-alike, by the server's own key) twice in a test process: with four
    random syllables, two tests once drew look-alikes on one server (`pseudo_taken`). Drawn again when
    the syllables happen to spell a reserved name ("s" + "ta" + "fa" reads "staff"); a reserved prefix
    chosen on purpose (staff accounts: "modo") is kept."""
    from papote.domain.pseudonyms import RESERVED_STEMS, pseudonym_key

    stems = [pseudonym_key(stem) for stem in RESERVED_STEMS]
    wanted = {stem for stem in stems if stem in pseudonym_key(prefix)}
    while True:
        letters = "".join(random.choice(_SYLLABLES) for _ in range(6))
        candidate = f"{prefix}_{letters}"[:20]
        key = pseudonym_key(candidate)
        if key not in _ISSUED_KEYS and {stem for stem in stems if stem in key} <= wanted:
            _ISSUED_KEYS.add(key)
            return candidate


_ISSUED_KEYS: set[str] = set()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_url() -> str | None:
    return os.environ.get("PAPOTE_TEST_POSTGRES_URL") or None


def new_postgres_database() -> str:
    """A fresh, empty database on the test PostgreSQL server; returns its URL."""
    base = postgres_url()
    if base is None:
        missing("PostgreSQL (PAPOTE_TEST_POSTGRES_URL)")
        raise AssertionError("unreachable")
    name = f"papote_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        import asyncpg

        connection = await asyncpg.connect(base.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    # may be called from inside a running event loop (async tests): use a thread of its own
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, create()).result()
    return base.rsplit("/", 1)[0] + "/" + name


@dataclass
class ServerProcess:
    data_dir: Path
    database: str = ""
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        command = [
            sys.executable,
            "-m",
            "papote.cli.main",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
        ]
        if self.database:
            command += ["--database", self.database]
        env = {**os.environ, "PAPOTE_NEW_ARRIVAL_SECONDS": "0", "PAPOTE_RATE_LIMITS": "off", **self.env}
        log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready: {self.log_text()[-3000:]}")

    def log_text(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.data_dir.glob("server-*.log"))

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


async def enter_and_join(room: str, *clients: Client, birth: dt.date = ADULT) -> None:
    """Each client enters with a fresh pseudonym, then joins the room."""
    for client in clients:
        await client.enter(pseudo(), birth)
    for client in clients:
        await client.join(room)


def papote_cli(
    server: ServerProcess, *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `papote ARGS…` on the same database and data directory as `server`."""
    command = [sys.executable, "-m", "papote.cli.main", *args, "--data-dir", str(server.data_dir)]
    if server.database:
        command += ["--database", server.database]
    environment = {**os.environ, **(env or {})}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=environment)


async def table_rows(server: ServerProcess, table: object) -> list[dict[str, object]]:
    """Every row of a table of the server's database (to check what was stored)."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import create_async_engine

    from papote.settings import normalise_database_url

    url = (
        normalise_database_url(server.database)
        if server.database
        else f"sqlite+aiosqlite:///{server.data_dir}/papote.db"
    )
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return [dict(r._mapping) for r in await connection.execute(select(table))]  # type: ignore[call-overload]
    finally:
        await engine.dispose()
