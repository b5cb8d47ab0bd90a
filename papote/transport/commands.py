"""The commands a client may send over the WebSocket, one handler each (docs/protocol.md)."""

from __future__ import annotations

from typing import Any

from papote.domain import images, messages, people, private, rooms
from papote.domain.errors import PapoteRefusal
from papote.domain.model import room_channel
from papote.moderation import appeals, cases, decisions, reports, room_tools
from papote.transport import protocol
from papote.transport.websocket import HISTORY_MAX, Connection, command


@command("ping")
async def ping(connection: Connection, frame: dict[str, Any]) -> None:
    connection.outbox.push_frame(protocol.encode({"type": "pong", "ref": frame.get("ref")}))


@command("pong")
async def pong(connection: Connection, frame: dict[str, Any]) -> None:
    return None  # answering our ping is enough: the read loop saw traffic


@command("rooms")
async def list_rooms(connection: Connection, frame: dict[str, Any]) -> None:
    connection.reply(
        frame.get("ref"), {"rooms": await rooms.list_rooms(connection.services, connection.person)}
    )


@command("join")
async def join(connection: Connection, frame: dict[str, Any]) -> None:
    room_id = protocol.str_field(frame, "room")
    topic = f"room:{room_id}"
    already = topic in connection.topics
    connection.start_buffering()
    if not already:
        connection.hub.subscribe(connection, topic)
    try:
        result = await rooms.join(connection.services, connection.person, room_id)
    except BaseException:
        if not already:
            connection.hub.unsubscribe(connection, topic)
        connection.stop_buffering({})
        raise
    connection.services.room_rules.put(
        room_id, result["room"]["audience"], result["room"]["slow_mode_seconds"]
    )
    connection.reply(frame.get("ref"), result)
    seen = max([result["last_seq"], *(m["seq"] for m in result["history"])])
    connection.stop_buffering({room_channel(room_id): seen})


@command("leave")
async def leave(connection: Connection, frame: dict[str, Any]) -> None:
    room_id = protocol.str_field(frame, "room")
    await rooms.leave(connection.services, connection.person, room_id)
    connection.hub.unsubscribe(connection, f"room:{room_id}")
    connection.reply(frame.get("ref"), {"room": room_id})


@command("members")
async def members(connection: Connection, frame: dict[str, Any]) -> None:
    room_id = protocol.str_field(frame, "room")
    found = await rooms.members(connection.services, connection.person, room_id)
    connection.reply(frame.get("ref"), {"room": room_id, "members": found})


@command("send")
async def send(connection: Connection, frame: dict[str, Any]) -> None:
    ref = frame.get("ref")
    room_id, to = frame.get("room"), frame.get("to")
    if isinstance(room_id, str) and room_id:
        if f"room:{room_id}" not in connection.topics:
            raise PapoteRefusal("not_room_member")
        rules = connection.services.room_rules
        audience, slow_mode = rules.get(room_id)
        if rules.claim_refresh(room_id):  # an operator may have changed them: re-read for the next ones
            connection.spawn(rooms.refresh_rules(connection.services, [room_id]))
        if frame.get("image") is not None:
            connection.spawn(_send_room_image(connection, ref, room_id, audience, slow_mode, frame))
            return
        pending = messages.send_to_room(
            connection.services,
            connection.person,
            room_id,
            audience,
            frame.get("id"),
            frame.get("text"),
            slow_mode,
        )
        connection.spawn(connection.acknowledge(ref, pending))
    elif isinstance(to, str) and to:
        connection.spawn(_send_private(connection, ref, to, frame))
    else:
        raise PapoteRefusal("bad_request", details={"field": "room"})


async def _send_room_image(
    connection: Connection, ref: object, room_id: str, audience: str, slow_mode: int, frame: dict[str, Any]
) -> None:
    async def sending() -> messages.Sent:
        services, person = connection.services, connection.person
        photo = await images.attachment(services, person, frame.get("image"), room_channel(room_id))
        return await messages.send_to_room(
            services, person, room_id, audience, frame.get("id"), frame.get("text"), slow_mode, photo
        )

    await connection.acknowledge(ref, sending())


async def _send_private(connection: Connection, ref: object, to: str, frame: dict[str, Any]) -> None:
    async with connection.private_order:  # one at a time, in arrival order
        pending = private.send_private(
            connection.services, connection.person, to, frame.get("id"), frame.get("text"), frame.get("image")
        )
        await connection.acknowledge(ref, pending)


@command("history")
async def history(connection: Connection, frame: dict[str, Any]) -> None:
    after = protocol.int_field(frame, "after_seq")
    before = protocol.int_field(frame, "before_seq")
    limit = min(protocol.int_field(frame, "limit", 100, minimum=1) or 100, HISTORY_MAX)
    services, person = connection.services, connection.person
    if isinstance(frame.get("room"), str):
        found = await rooms.history(services, person, frame["room"], after, before, limit)
    elif isinstance(frame.get("with"), str):
        found = await private.history(services, person, frame["with"], after, before, limit)
    else:
        raise PapoteRefusal("bad_request", details={"field": "room"})
    connection.reply(frame.get("ref"), {"messages": found})


@command("resume")
async def resume(connection: Connection, frame: dict[str, Any]) -> None:
    positions = frame.get("positions")
    if not isinstance(positions, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0
        for k, v in positions.items()
    ):
        raise PapoteRefusal("bad_request", details={"field": "positions"})
    connection.start_buffering()
    delivered = dict(positions)
    try:
        replayed = await messages.replay(connection.services, connection.person, positions)
    except BaseException:
        connection.stop_buffering({})
        raise
    for channel, seq, event_frame in replayed:
        connection.outbox.push_frame(event_frame)
        delivered[channel] = max(delivered[channel], seq)
    connection.stop_buffering(delivered)
    connection.reply(frame.get("ref"), {"replayed": len(replayed)})


@command("read")
async def mark_read(connection: Connection, frame: dict[str, Any]) -> None:
    seq = protocol.int_field(frame, "seq") or 0
    if isinstance(frame.get("room"), str):
        await rooms.mark_read(connection.services, connection.person, frame["room"], seq)
    elif isinstance(frame.get("with"), str):
        await private.mark_read(connection.services, connection.person, frame["with"], seq)
    else:
        raise PapoteRefusal("bad_request", details={"field": "room"})
    connection.reply(frame.get("ref"))


@command("private_accept")
async def private_accept(connection: Connection, frame: dict[str, Any]) -> None:
    result = await private.accept(connection.services, connection.person, frame.get("pseudo"))
    connection.reply(frame.get("ref"), result)


@command("private_decline")
async def private_decline(connection: Connection, frame: dict[str, Any]) -> None:
    await private.decline(connection.services, connection.person, frame.get("pseudo"))
    connection.reply(frame.get("ref"))


@command("block")
async def block(connection: Connection, frame: dict[str, Any]) -> None:
    await private.block(connection.services, connection.person, frame.get("pseudo"))
    connection.reply(frame.get("ref"))


@command("unblock")
async def unblock(connection: Connection, frame: dict[str, Any]) -> None:
    await private.unblock(connection.services, connection.person, frame.get("pseudo"))
    connection.reply(frame.get("ref"))


@command("conversations")
async def conversations(connection: Connection, frame: dict[str, Any]) -> None:
    services, person = connection.services, connection.person
    found = await private.conversations(services, person)
    invitations = await rooms.pending_invitations(services, person)
    blocked = await private.blocked_pseudos(services, person)
    reply = {"conversations": found, "invitations": invitations, "blocked": blocked}
    connection.reply(frame.get("ref"), reply)


@command("create_room")
async def create_room(connection: Connection, frame: dict[str, Any]) -> None:
    connection.person = await people.current(connection.services, connection.person.id)
    if not connection.person.registered:
        raise PapoteRefusal("registration_required")
    room = await rooms.create_room(
        connection.services,
        protocol.str_field(frame, "name"),
        str(frame.get("audience", "")),
        topic=str(frame.get("topic", "")),
        kind="private",
        owner=connection.person,
    )
    connection.hub.subscribe(connection, room.topic_key)
    connection.reply(frame.get("ref"), {"room": room.public()})


@command("invite")
async def invite(connection: Connection, frame: dict[str, Any]) -> None:
    await rooms.invite(
        connection.services,
        connection.person,
        protocol.str_field(frame, "room"),
        protocol.str_field(frame, "pseudo"),
    )
    connection.reply(frame.get("ref"))


@command("invitation_decline")
async def invitation_decline(connection: Connection, frame: dict[str, Any]) -> None:
    await rooms.decline_invitation(connection.services, connection.person, protocol.str_field(frame, "room"))
    connection.reply(frame.get("ref"))


# --- reports and moderation (papote/moderation/) ---------------------------------------------------


@command("report")
async def report(connection: Connection, frame: dict[str, Any]) -> None:
    report_id = await reports.report(
        connection.services,
        connection.person,
        frame.get("kind"),
        frame.get("target_id"),
        frame.get("category"),
        frame.get("text"),
    )
    connection.reply(frame.get("ref"), {"report": report_id})


@command("cases")
async def list_cases(connection: Connection, frame: dict[str, Any]) -> None:
    found = await cases.queue(connection.services, connection.person, frame.get("status", "open"))
    connection.reply(frame.get("ref"), {"cases": found})


@command("case")
async def case_detail(connection: Connection, frame: dict[str, Any]) -> None:
    found = await cases.detail(connection.services, connection.person, frame.get("case_id"))
    connection.reply(frame.get("ref"), {"case": found})


@command("claim")
async def claim(connection: Connection, frame: dict[str, Any]) -> None:
    services, person = connection.services, connection.person
    claimed = await cases.claim(services, person, frame.get("case_id"), frame.get("assign_to"))
    connection.reply(frame.get("ref"), claimed)


@command("act")
async def act(connection: Connection, frame: dict[str, Any]) -> None:
    decision_id = await decisions.act(
        connection.services,
        connection.person,
        frame.get("case_id"),
        frame.get("action"),
        frame.get("reason"),
        frame.get("duration"),
    )
    connection.reply(frame.get("ref"), {"decision": decision_id})


@command("appeal")
async def appeal(connection: Connection, frame: dict[str, Any]) -> None:
    appeal_id = await appeals.appeal(
        connection.services, connection.person, frame.get("decision_id"), frame.get("text", "")
    )
    connection.reply(frame.get("ref"), {"appeal": appeal_id})


@command("appeals")
async def list_appeals(connection: Connection, frame: dict[str, Any]) -> None:
    found = await appeals.open_appeals(connection.services, connection.person)
    connection.reply(frame.get("ref"), {"appeals": found})


@command("decide_appeal")
async def decide_appeal(connection: Connection, frame: dict[str, Any]) -> None:
    status = await appeals.decide(
        connection.services,
        connection.person,
        frame.get("appeal_id"),
        frame.get("outcome"),
        frame.get("reason"),
    )
    connection.reply(frame.get("ref"), {"appeal": frame.get("appeal_id"), "status": status})


@command("room_tools")
async def set_room_tools(connection: Connection, frame: dict[str, Any]) -> None:
    found = await room_tools.set_tools(connection.services, connection.person, frame.get("room"), frame)
    connection.reply(frame.get("ref"), {"tools": found})
