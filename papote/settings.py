"""One typed settings object, read from flags and the environment.

Every CLI command and the server use the same resolution: an explicit flag wins,
then the `PAPOTE_*` environment variable, then the default that works with no setup.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_DATA_DIR = Path("papote-data")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""  # empty: SQLite file inside data_dir
    retention_days: int = 30
    connection_records_days: int = 365  # French law: one year of connection data
    evidence_days_after_close: int = 183  # evidence outlives its case by the six-month appeal window
    guest_session_hours: int = 12
    account_session_days: int = 30
    new_arrival_seconds: int = 600
    rate_limits: bool = True
    heartbeat_seconds: int = 25
    history_on_join: int = 50
    max_message_chars: int = 1000
    secret_key: str = ""  # used for keyed hashes (IP addresses); generated into data_dir if empty
    cookie_secure: bool = False
    sqlite_synchronous: str = "FULL"  # FULL: an ack survives power loss, not only a crash
    safety_policy_file: str = ""  # JSON overrides of papote.safety.policy.PolicyConfig
    image_max_bytes: int = 10 * 1024 * 1024
    image_workers: int = 1  # worker processes that decode, hash and check photos
    bank_refresh_seconds: float = 5.0  # how often a node picks up hashes added by the CLI or another node

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        base = cls(
            host=env.get("PAPOTE_HOST", cls.host),
            port=_env_int("PAPOTE_PORT", cls.port),
            data_dir=Path(env.get("PAPOTE_DATA_DIR", str(DEFAULT_DATA_DIR))),
            database_url=env.get("PAPOTE_DATABASE_URL", ""),
            retention_days=_env_int("PAPOTE_RETENTION_DAYS", cls.retention_days),
            connection_records_days=_env_int("PAPOTE_CONNECTION_RECORDS_DAYS", cls.connection_records_days),
            evidence_days_after_close=_env_int("PAPOTE_EVIDENCE_DAYS", cls.evidence_days_after_close),
            new_arrival_seconds=_env_int("PAPOTE_NEW_ARRIVAL_SECONDS", cls.new_arrival_seconds),
            rate_limits=env.get("PAPOTE_RATE_LIMITS", "on").strip().lower()
            not in ("off", "0", "false", "no"),
            secret_key=env.get("PAPOTE_SECRET_KEY", ""),
            cookie_secure=env.get("PAPOTE_COOKIE_SECURE", "").lower() in ("1", "true", "yes", "on"),
            sqlite_synchronous=env.get("PAPOTE_SQLITE_SYNCHRONOUS", cls.sqlite_synchronous).upper(),
            safety_policy_file=env.get("PAPOTE_SAFETY_POLICY", ""),
            image_max_bytes=_env_int("PAPOTE_IMAGE_MAX_BYTES", cls.image_max_bytes),
            image_workers=max(1, _env_int("PAPOTE_IMAGE_WORKERS", cls.image_workers)),
            bank_refresh_seconds=float(
                env.get("PAPOTE_BANK_REFRESH_SECONDS", "") or cls.bank_refresh_seconds
            ),
        )
        chosen = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **chosen)  # type: ignore[arg-type]

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'papote.db').resolve()}"

    @property
    def images_dir(self) -> Path:
        return self.data_dir / "images"

    @property
    def quarantine_dir(self) -> Path:
        """Images matched in a child-abuse bank: kept as evidence, never served."""
        return self.data_dir / "quarantine"

    def ensure_secret_key(self) -> Settings:
        """Return settings with a secret key, creating one in the data directory on first start."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / "secret.key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return replace(self, secret_key=key_file.read_text().strip())


def normalise_database_url(url: str) -> str:
    """Accept the plain URLs operators know and pick the async driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+asyncpg://" + url[len("postgresql://") :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url
