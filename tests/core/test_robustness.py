"""Bad input gets a clear error, loses nothing, and never brings the server down."""

from __future__ import annotations

import orjson
from websockets.asyncio.client import connect

from papote.client import Client
from tests.support import ADULT, ServerProcess, pseudo


async def test_malformed_frames_get_error_codes(server: ServerProcess) -> None:
    async with Client(server.url) as owner:
        await owner.enter(pseudo(), ADULT)
        cookie = "; ".join(f"{k}={v}" for k, v in owner.http.cookies.items())
        url = server.url.replace("http", "ws") + "/ws"
        async with connect(url, additional_headers={"Cookie": cookie}) as ws:
            assert orjson.loads(await ws.recv())["type"] == "hello"
            await ws.send('{"type": "join", "room": "accueil", "ref": "j"}')
            while orjson.loads(await ws.recv()).get("ref") != "j":
                pass
            cases = {
                "not json": "bad_request",
                "[1, 2]": "bad_request",
                '{"type": "teleport"}': "unknown_command",
                '{"type": "send", "room": "accueil", "id": "x", "text": 5}': "bad_request",
                '{"type": "send", "room": "accueil"}': "bad_request",
                '{"type": "send", "room": "accueil", "text": "sans id"}': "message_id_invalid",
                '{"type": "send", "room": "18-25", "id": "y", "text": "hi"}': "not_room_member",
                '{"type": "join", "room": 12}': "bad_request",
                '{"type": "join", "room": "nowhere"}': "room_not_found",
                '{"type": "history", "room": "accueil", "limit": -4}': "bad_request",
                '{"type": "resume", "positions": {"r:accueil": "x"}}': "bad_request",
                '{"type": "join", "room": "' + "a" * 20000 + '"}': "frame_too_large",
            }
            for raw, code in cases.items():
                await ws.send(raw)
                answer = await _next_answer(ws)
                assert answer["type"] == "error" and answer["code"] == code, raw
                assert answer["message"]["fr"] and answer["message"]["en"]
            await ws.send(b"\xff\xfe binary junk")
            assert (await _next_answer(ws))["type"] == "error"
            await ws.send('{"type": "members", "room": "accueil", "ref": "ok"}')
            answer = orjson.loads(await ws.recv())
            while answer.get("ref") != "ok":
                answer = orjson.loads(await ws.recv())
            assert answer["type"] == "reply"


async def test_message_id_must_be_well_formed(server: ServerProcess) -> None:
    from papote.client import PapoteError

    async with Client(server.url) as person:
        await person.enter(pseudo(), ADULT)
        await person.join("accueil")
        try:
            await person.send("accueil", "hello", client_id="spaces are not allowed")
        except PapoteError as refused:
            assert refused.code == "message_id_invalid"
        else:
            raise AssertionError("a malformed id was accepted")


async def _next_answer(ws: object) -> dict[str, object]:
    """Skip events (joins, notices) until the answer to a command."""
    while True:
        frame = orjson.loads(await ws.recv())  # type: ignore[attr-defined]
        if frame["type"] in ("error", "reply", "ack"):
            return frame  # type: ignore[no-any-return]
