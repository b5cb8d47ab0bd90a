"""Content-addressed image storage (papote.images.store)."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from papote.images import DiskImageStore, ImageStore, MemoryImageStore

PICTURE = b"\xff\xd8\xff\xe0 pretend jpeg bytes \xff\xd9"
KEY = hashlib.sha256(PICTURE).hexdigest()

BAD_KEYS = [
    "",
    "../" * 10 + "etc/passwd",
    KEY[:63],
    KEY + "0",
    KEY[:62] + "/x",
    KEY[:60] + "../x",
    "/" + KEY[1:],
    KEY[:63] + "g",
    KEY[:63] + "\x00",
    " " + KEY[1:],
    KEY[:32] + "\n" + KEY[33:],
]


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_put_get_exists_delete(tmp_path: Path) -> None:
    store = DiskImageStore(tmp_path)
    assert not store.exists(KEY) and store.get(KEY) is None
    assert store.put(PICTURE) == KEY
    assert store.exists(KEY)
    assert store.get(KEY) == PICTURE
    store.delete(KEY)
    assert not store.exists(KEY) and store.get(KEY) is None
    store.delete(KEY)  # deleting what is gone is fine


def test_layout_is_two_levels_of_prefix(tmp_path: Path) -> None:
    store = DiskImageStore(tmp_path)
    store.put(PICTURE)
    assert stored_files(tmp_path) == [tmp_path / KEY[:2] / KEY[2:4] / KEY]
    assert (tmp_path / KEY[:2] / KEY[2:4] / KEY).read_bytes() == PICTURE


def test_put_is_idempotent(tmp_path: Path) -> None:
    store = DiskImageStore(tmp_path)
    store.put(PICTURE)
    path = tmp_path / KEY[:2] / KEY[2:4] / KEY
    before = path.stat()
    assert store.put(PICTURE) == KEY
    assert stored_files(tmp_path) == [path]
    assert path.stat().st_ino == before.st_ino and path.stat().st_mtime_ns == before.st_mtime_ns


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = DiskImageStore(tmp_path)

    def broken_replace(source: str, target: str) -> None:
        raise OSError("disque plein")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disque plein"):
        store.put(PICTURE)
    monkeypatch.undo()
    assert stored_files(tmp_path) == []
    assert not store.exists(KEY)
    assert store.put(PICTURE) == KEY and store.get(KEY) == PICTURE


def test_concurrent_puts_of_same_bytes_give_one_whole_file(tmp_path: Path) -> None:
    store = DiskImageStore(tmp_path)
    data = os.urandom(256 * 1024)
    key = hashlib.sha256(data).hexdigest()
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(store.put(data))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert keys == [key] * 8
    assert stored_files(tmp_path) == [tmp_path / key[:2] / key[2:4] / key]
    assert store.get(key) == data


def test_upper_case_key_reaches_the_same_file(tmp_path: Path) -> None:
    store = DiskImageStore(tmp_path)
    store.put(PICTURE)
    assert store.get(KEY.upper()) == PICTURE


@pytest.mark.parametrize("key", BAD_KEYS)
def test_path_tricks_are_refused(tmp_path: Path, key: str) -> None:
    (tmp_path.parent / "secret").write_bytes(b"ne pas lire")
    store = DiskImageStore(tmp_path / "images")
    for operation in (store.get, store.exists, store.delete):
        with pytest.raises(ValueError):
            operation(key)
    assert (tmp_path.parent / "secret").exists()


@pytest.mark.parametrize("key", BAD_KEYS[:4])
def test_memory_store_refuses_the_same_keys(key: str) -> None:
    store = MemoryImageStore()
    with pytest.raises(ValueError):
        store.get(key)


def test_memory_store_follows_the_contract() -> None:
    store = MemoryImageStore()
    assert store.put(PICTURE) == KEY and store.put(PICTURE) == KEY
    assert store.exists(KEY) and store.get(KEY) == PICTURE and len(store.files) == 1
    store.delete(KEY)
    assert not store.exists(KEY) and store.get(KEY) is None


def test_both_stores_satisfy_the_protocol(tmp_path: Path) -> None:
    assert isinstance(DiskImageStore(tmp_path), ImageStore)
    assert isinstance(MemoryImageStore(), ImageStore)
