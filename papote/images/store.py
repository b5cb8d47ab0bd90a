"""Content-addressed storage of cleaned images: a file per SHA-256, written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

KEY_PATTERN = re.compile(r"[0-9a-f]{64}")


@runtime_checkable
class ImageStore(Protocol):
    """Where cleaned images live, addressed by the SHA-256 of their bytes."""

    def put(self, data: bytes) -> str: ...

    def get(self, sha256: str) -> bytes | None: ...

    def exists(self, sha256: str) -> bool: ...

    def delete(self, sha256: str) -> None: ...


def checked_key(sha256: str) -> str:
    """The key in canonical lower case; ValueError unless it is exactly 64 hex digits."""
    key = sha256.lower() if isinstance(sha256, str) else ""
    if not KEY_PATTERN.fullmatch(key):
        raise ValueError("an image key is 64 hexadecimal digits")
    return key


class DiskImageStore:
    """Files at root/ab/cd/<sha256>; a put writes a temporary file and renames it into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        key = checked_key(sha256)
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        path = self.path_of(key)
        if path.exists():
            return key  # same bytes, same name: nothing to do
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)  # atomic: readers see no file or the whole file
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        sync_directory(path.parent)
        return key

    def get(self, sha256: str) -> bytes | None:
        try:
            return self.path_of(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def delete(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)


def sync_directory(directory: Path) -> None:
    """Make the rename durable (a crash right after put must not lose the file)."""
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


class MemoryImageStore:
    """The same contract in memory, for tests and single-process tools."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def put(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        with self.lock:
            self.files.setdefault(key, bytes(data))
        return key

    def get(self, sha256: str) -> bytes | None:
        return self.files.get(checked_key(sha256))

    def exists(self, sha256: str) -> bool:
        return checked_key(sha256) in self.files

    def delete(self, sha256: str) -> None:
        with self.lock:
            self.files.pop(checked_key(sha256), None)
