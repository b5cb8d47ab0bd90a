"""Photos end to end: upload over HTTP, checks in worker processes, sending over WebSockets,
authorised fetching, hash banks from the CLI. Every image is synthetic, drawn by the test."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageOps

from papote.client import Client, PapoteError
from papote.storage.tables import cases, images
from tests.conftest import make_server
from tests.imaging import encode, gradient, jpeg_with_gps, noise, shapes, with_caption
from tests.support import ADULT, MINOR, ServerProcess, enter_and_join, papote_cli, pseudo, table_rows


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def banking_server(backend: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own (banks are global) that picks up CLI-added hashes within half a second."""
    process = make_server(backend, tmp_path, PAPOTE_BANK_REFRESH_SECONDS="0.3")
    yield process
    process.stop()


async def test_a_photo_in_a_room_arrives_blurred_and_without_its_location(
    server: ServerProcess, tmp_path: Path
) -> None:
    async with Client(server.url) as sender, Client(server.url) as viewer:
        await enter_and_join("accueil", sender, viewer)
        photo = write(tmp_path, "vacances.jpg", jpeg_with_gps(shapes(101)))
        ack = await sender.send_image("accueil", photo, text="vue du balcon")
        assert ack.image_url and ack.blurred  # strangers cannot push photos: a room photo starts blurred
        event = await viewer.wait_for("message", where=lambda e: e.id == ack.id)
        assert event.blurred and event.image_url == ack.image_url and event.text == "vue du balcon"
        served = await viewer.fetch_image(event.image_url)
        with Image.open(io.BytesIO(served)) as image:
            assert image.size == (640, 480)
            assert not image.getexif()  # no EXIF at all, so no GPS position
        assert b"FictiveCam" not in served
        preview = await viewer.fetch_image(event.data["preview_url"])
        thumbnail = await viewer.fetch_image(event.data["thumbnail_url"])
        assert preview != thumbnail
        history = await viewer.history("accueil")
        assert any(item.id == ack.id for item in history)


async def test_only_people_who_may_see_the_message_may_fetch_its_photo(
    server: ServerProcess, tmp_path: Path
) -> None:
    async with Client(server.url) as sender, Client(server.url) as member, Client(server.url) as outsider:
        await enter_and_join("sud", sender, member)
        await outsider.enter(pseudo("o"), ADULT)
        ack = await sender.send_image("sud", write(tmp_path, "a.png", encode(shapes(102), "PNG")))
        assert ack.image_url
        assert await member.fetch_image(ack.image_url)
        with pytest.raises(PapoteError) as refused:
            await outsider.fetch_image(ack.image_url)
        assert refused.value.code == "image_not_found"
        await member.block(sender.pseudo)
        with pytest.raises(PapoteError) as blocked:
            await member.fetch_image(ack.image_url)
        assert blocked.value.code == "image_not_found"
        anonymous = httpx.get(server.url + ack.image_url)
        assert anonymous.status_code == 401


async def test_private_photos_first_one_blurred_then_shown(server: ServerProcess, tmp_path: Path) -> None:
    async with Client(server.url) as alice, Client(server.url) as bob:
        await alice.enter(pseudo("a"), ADULT)
        await bob.enter(pseudo("b"), ADULT)
        await alice.send_private(bob.pseudo, "salut, on parle de la rando ?")
        await bob.accept_private(alice.pseudo)
        first = await alice.send_image(bob.pseudo, write(tmp_path, "1.png", encode(shapes(103), "PNG")))
        second = await alice.send_image(bob.pseudo, write(tmp_path, "2.png", encode(shapes(104), "PNG")))
        assert first.blurred and not second.blurred
        seen = await bob.wait_for("private_message", where=lambda e: e.id == second.id)
        assert not seen.blurred and seen.image_url
        assert await bob.fetch_image(seen.image_url)


async def test_a_minor_and_an_adult_cannot_exchange_photos(server: ServerProcess, tmp_path: Path) -> None:
    async with Client(server.url) as adult, Client(server.url) as minor:
        await adult.enter(pseudo("a"), ADULT)
        await minor.enter(pseudo("m"), MINOR)
        with pytest.raises(PapoteError) as refused:
            await adult.send_image(minor.pseudo, write(tmp_path, "x.png", encode(shapes(105), "PNG")))
        assert refused.value.code == "private_age_mismatch"


BAD_FILES = {
    "image_svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "image_format": encode(shapes(106), "BMP"),
    "image_empty": b"",
}


async def test_every_bad_file_gets_its_code_and_the_server_stays_up(server: ServerProcess) -> None:
    truncated = encode(shapes(107), "JPEG")
    polyglot = encode(shapes(108), "PNG") + b"PK\x03\x04" + b"\x00" * 64
    cases_by_code = {
        **BAD_FILES,
        "image_truncated": truncated[: len(truncated) // 2],
        "image_polyglot": polyglot,
    }
    async with Client(server.url) as person:
        await person.enter(pseudo("f"), ADULT)
        for code, data in cases_by_code.items():
            with pytest.raises(PapoteError) as refused:
                await person.upload_image(data)
            assert refused.value.code == code, (code, refused.value.code)
            assert refused.value.message  # a French explanation
        assert (await person.upload_image(encode(shapes(109), "WEBP")))["image"]
    assert httpx.get(server.url + "/api/health").status_code == 200


async def test_size_limit_and_new_arrivals(backend: str, tmp_path: Path) -> None:
    strict = make_server(backend, tmp_path, PAPOTE_IMAGE_MAX_BYTES="20000", PAPOTE_NEW_ARRIVAL_SECONDS="600")
    try:
        async with Client(strict.url) as newcomer:
            await newcomer.enter(pseudo("n"), ADULT)
            with pytest.raises(PapoteError) as too_new:
                await newcomer.upload_image(encode(gradient(110, (64, 64)), "PNG"))
            assert too_new.value.code == "new_arrival_images"
            with pytest.raises(PapoteError) as too_big:
                await newcomer.upload_image(encode(noise(111, (400, 400)), "PNG"))
            assert too_big.value.code == "image_too_large"
    finally:
        strict.stop()


async def test_a_photo_is_sent_only_by_its_uploader(server: ServerProcess, tmp_path: Path) -> None:
    async with Client(server.url) as owner, Client(server.url) as thief:
        await enter_and_join("musique", owner, thief)
        uploaded = await owner.upload_image(encode(shapes(112), "PNG"))
        with pytest.raises(PapoteError) as refused:
            await thief._send({"room": "musique", "image": uploaded["image"]}, "", None)
        assert refused.value.code == "image_not_found"


def _hash_of(tmp_path: Path, name: str, data: bytes, server: ServerProcess) -> str:
    done = papote_cli(server, "safety", "classify-image", str(write(tmp_path, name, data)))
    assert done.returncode == 0, done.stdout + done.stderr
    line = json.loads(done.stdout.splitlines()[0])
    assert set(line) >= {"file", "sha256", "pdq", "pdq_quality", "nudity", "matches", "action"}
    return str(line["pdq"])


async def _upload_refused(client: Client, data: bytes, deadline: float = 10.0) -> PapoteError:
    """Upload until refused (the server picks new bank hashes up within a fraction of a second)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    while True:
        try:
            await client.upload_image(data)
        except PapoteError as error:
            return error
        assert loop.time() < end, "the banked image was never stopped"
        await asyncio.sleep(0.3)


async def test_a_hash_list_bank_stops_resized_recompressed_and_captioned_copies(
    banking_server: ServerProcess, tmp_path: Path
) -> None:
    originals = [shapes(200 + n) for n in range(3)]
    hashes = [
        _hash_of(tmp_path, f"o{n}.png", encode(o, "PNG"), banking_server) for n, o in enumerate(originals)
    ]
    hash_list = write(
        tmp_path,
        "liste.csv",
        ("hash,label\n" + "".join(f"{h},cas-{n}\n" for n, h in enumerate(hashes))).encode(),
    )
    done = papote_cli(
        banking_server, "hashes", "import", "--bank", "partenaire", "--category", "ncii", str(hash_list)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    listed = papote_cli(banking_server, "hashes", "list")
    assert "partenaire" in listed.stdout and "ncii" in listed.stdout and "3" in listed.stdout
    async with Client(banking_server.url) as reposter:
        await reposter.enter(pseudo("r"), ADULT)
        for original in originals:
            half = original.resize((original.width // 2, original.height // 2))
            for variant in (
                encode(half, "PNG"),
                encode(original, "JPEG", quality=60),
                encode(with_caption(original), "PNG"),
            ):
                refused = await _upload_refused(reposter, variant)
                assert refused.code == "image_blocked"
        assert (await reposter.upload_image(encode(shapes(299), "PNG")))["image"]  # unrelated: passes
    found = await table_rows(banking_server, cases)
    assert any(c["category"] == "ncii" for c in found)


async def test_an_image_bank_also_stops_crops_and_mirrors_and_csam_suspends(
    banking_server: ServerProcess, tmp_path: Path
) -> None:
    original = shapes(300)
    banked = write(tmp_path, "signale.png", encode(original, "PNG"))
    done = papote_cli(
        banking_server, "hashes", "add-image", "--bank", "interne", "--category", "csam", str(banked)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    width, height = original.size
    crop = original.crop((width // 20, height // 20, width - width // 20, height - height // 20))
    async with Client(banking_server.url) as first, Client(banking_server.url) as second:
        await first.enter(pseudo("c"), ADULT)
        await second.enter(pseudo("d"), ADULT)
        refused = await _upload_refused(first, encode(ImageOps.mirror(original), "JPEG", quality=85))
        assert refused.code == "image_blocked"
        suspended = await first.wait_for("suspended")
        assert suspended.data["message"]["fr"]
        refused = await _upload_refused(second, encode(crop, "PNG"))
        assert refused.code == "image_blocked"
    stored = await table_rows(banking_server, images)
    quarantined = [row for row in stored if row["status"] == "quarantined"]
    assert len(quarantined) == 2
    assert not (banking_server.data_dir / "images").exists() or not any(
        path.name == quarantined[0]["sha256"] for path in (banking_server.data_dir / "images").rglob("*")
    )
    assert any(
        c["category"] == "csam_signal" and c["priority"] == 0 for c in await table_rows(banking_server, cases)
    )


async def test_a_photo_removed_by_a_moderator_can_never_be_posted_again(
    banking_server: ServerProcess, tmp_path: Path
) -> None:
    original = shapes(400)
    async with Client(banking_server.url) as poster, Client(banking_server.url) as viewer:
        await enter_and_join("25-40", poster, viewer)
        ack = await poster.send_image("25-40", write(tmp_path, "p.jpg", encode(original, "JPEG", quality=90)))
        assert ack.image_url and await viewer.fetch_image(ack.image_url)
        done = papote_cli(
            banking_server, "admin", "remove-photo", "--message", str(ack.id), "--category", "ncii"
        )
        assert done.returncode == 0, done.stdout + done.stderr
        with pytest.raises(PapoteError) as gone:
            await viewer.fetch_image(ack.image_url)
        assert gone.value.code == "image_not_found"
        assert all(item.id != ack.id for item in await viewer.history("25-40"))
        width, height = original.size
        crop = original.crop((width // 20, height // 20, width - width // 20, height - height // 20))
        for repost in (encode(ImageOps.mirror(original), "PNG"), encode(crop, "JPEG", quality=70)):
            refused = await _upload_refused(viewer, repost)
            assert refused.code == "image_blocked"
    listed = papote_cli(banking_server, "hashes", "list")
    assert "internal-ncii" in listed.stdout


async def test_the_retention_purge_takes_photos_with_their_messages(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    async with Client(fresh_server.url) as sender:
        await enter_and_join("accueil", sender)
        await sender.send_image("accueil", write(tmp_path, "old.png", encode(shapes(500), "PNG")))
    stored = await table_rows(fresh_server, images)
    files = {row["sha256"] for row in stored}
    assert any(p.name in files for p in (fresh_server.data_dir / "images").rglob("*"))
    done = papote_cli(fresh_server, "purge", env={"PAPOTE_RETENTION_DAYS": "-1"})  # all counts as expired
    assert done.returncode == 0, done.stdout + done.stderr
    assert "photos supprimées : 1" in done.stdout
    assert not await table_rows(fresh_server, images)
    assert not any(p.name in files for p in (fresh_server.data_dir / "images").rglob("*"))
