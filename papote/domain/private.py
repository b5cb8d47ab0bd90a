"""Private conversations: requests first, adults and minors never together, blocks.

The first message to someone is a request: the recipient sees who asks and a
preview, then accepts, declines or blocks. Messages flow only once accepted.
"""

from __future__ import annotations

from typing import Any

from papote.bus.base import Event
from papote.domain import images, verdicts
from papote.domain.errors import PapoteRefusal
from papote.domain.events import history_item, notice, private_message_events
from papote.domain.messages import Sent, check_client_id, check_text, finish, may_read, screened_message
from papote.domain.model import (
    Conversation,
    Person,
    StoredMessage,
    now_ms,
    person_topic,
    private_contact_allowed,
)
from papote.domain.pseudonyms import pseudonym_key
from papote.domain.safety_gate import CONVERSATION_CASE_PRIORITY, Screening
from papote.domain.services import Services
from papote.domain.verdicts import minor_involved
from papote.moderation import audit
from papote.safety.conversation import ConversationAssessment
from papote.storage import conversations as store
from papote.storage import history as history_store
from papote.storage import people as people_store
from papote.storage import safety as safety_store

PREVIEW_CHARS = 140


async def find_person(services: Services, pseudo: object) -> Person:
    if not isinstance(pseudo, str) or not pseudo:
        raise PapoteRefusal("person_not_found")
    async with services.transaction() as connection:
        person = await people_store.find_online_by_pseudo(connection, pseudonym_key(pseudo), now_ms())
    if person is None:
        raise PapoteRefusal("person_not_found")
    return person


def check_pair(sender: Person, recipient: Person) -> None:
    if sender.id == recipient.id:
        raise PapoteRefusal("private_self")
    if not private_contact_allowed(sender.age_band, recipient.age_band):
        raise PapoteRefusal("private_age_mismatch")


async def send_private(
    services: Services,
    sender: Person,
    pseudo: object,
    client_id: object,
    text: object,
    image_id: object = None,
) -> Sent:
    """Check, screen and store a private message (with a photo when `image_id` names the sender's
    upload), opening a request when the two have not talked yet."""
    with_image = image_id is not None
    kind, cleaned = check_text(text, services.settings.max_message_chars, with_image=with_image)
    client_id = check_client_id(client_id)
    recipient = await find_person(services, pseudo)
    check_pair(sender, recipient)
    gate = services.gate
    existing = await _check_may_write(services, sender, recipient)
    gate.check_may_send(sender, cleaned or f"[image {client_id}]")
    if existing is None:
        gate.check_private_request(sender)
    accepted = existing is not None and existing.status == "accepted"
    channel = existing.channel if existing else "d:new"
    context = gate.private_context(sender, recipient, accepted, channel)
    screening = gate.screen(cleaned, context) if cleaned else gate.nothing_to_screen()
    photo = None
    if with_image:
        photo = await images.attachment(services, sender, image_id, existing.channel if existing else None)
        policy = images.image_policy(services)
        screening = images.stricter(screening, photo.screening(policy, images.private_image_context(context)))
    minor = minor_involved(sender, recipient)
    if screening.blocked:
        await verdicts.refuse_blocked(
            services,
            sender,
            channel=channel,
            client_id=client_id,
            text=cleaned,
            screening=screening,
            minor=minor,
        )
    conversation, is_request = await _conversation_for_sending(services, sender, recipient)
    assessment = await _assess(services, conversation, sender, recipient, cleaned) if cleaned else None
    if assessment is not None:
        screening = screening_for_frozen(screening)
    message = screened_message(
        services, conversation.channel, sender, client_id, kind, cleaned, screening, photo
    )

    def events_for(stored: StoredMessage) -> list[Event]:
        own, theirs = private_message_events(stored, sender, recipient, conversation.id, screening.extra)
        if screening.hidden:
            return [own]
        request = _request_event(stored, sender, recipient, conversation, screening.extra)
        return [own, request if is_request else theirs]

    pending = services.log.enqueue(message, events_for)
    sent = await finish(services, sender, pending, screening, conversation.channel, client_id, cleaned, minor)
    if assessment is not None:
        await _freeze(services, conversation, sender, recipient, assessment, sent.message.id)
    return sent


async def _check_may_write(services: Services, sender: Person, recipient: Person) -> Conversation | None:
    """Refuse early (nothing written) what `_open_for_sending` would refuse; return the conversation."""
    async with services.transaction() as connection:
        if (await safety_store.restrictions(connection, sender.id)).get("private_restricted"):
            raise PapoteRefusal("private_restricted")
        if await store.either_blocked(connection, sender.id, recipient.id):
            raise PapoteRefusal("private_refused")
        conversation = await store.get_between(connection, sender.id, recipient.id)
    if conversation is None:
        return None
    if conversation.status == "frozen":
        raise PapoteRefusal("conversation_frozen")
    if conversation.status == "pending" and conversation.requested_by == sender.id:
        raise PapoteRefusal("private_request_pending")
    if conversation.status in ("declined", "blocked") and conversation.requested_by != recipient.id:
        raise PapoteRefusal("private_refused")
    return conversation


async def _assess(
    services: Services, conversation: Conversation, sender: Person, recipient: Person, text: str
) -> ConversationAssessment | None:
    """The conversation-risk assessment, when this message makes the conversation flagged."""
    bands = {sender.id: sender.age_band, recipient.id: recipient.age_band}
    scorer, fresh = services.gate.conversation_risk(conversation.id, bands)
    if fresh:  # this node has not seen the conversation yet: replay what was said, in order
        async with services.transaction() as connection:
            rows = await history_store.read(connection, conversation.channel, limit=50, include_hidden=True)
        for row in rows:
            services.gate.observe(scorer, row["sender_id"], row["text"])
    assessment = services.gate.observe(scorer, sender.id, text)
    return assessment if assessment.flagged else None


def screening_for_frozen(screening: Screening) -> Screening:
    """The message that made a conversation flagged is held for the moderators, not delivered."""
    return Screening(screening.verdict, hidden=True, flags="held", extra={})


async def _freeze(
    services: Services,
    conversation: Conversation,
    sender: Person,
    recipient: Person,
    assessment: ConversationAssessment,
    message_id: int,
) -> None:
    label = assessment.labels[0] if assessment.labels else "grooming"
    now = now_ms()
    async with services.transaction() as connection:
        await store.set_status(connection, conversation.id, "frozen", now)
        await safety_store.open_case(
            connection,
            priority=CONVERSATION_CASE_PRIORITY.get(label, 1),
            category=label,
            subject_id=sender.id,
            minor_involved=minor_involved(sender, recipient),
            channel=conversation.channel,
            safety_event_id=None,
            summary=f"conversation flagged: {', '.join(assessment.labels)}; "
            f"steps: {', '.join(assessment.steps)}; message {message_id}",
            now_ms=now,
        )
        await audit.record(
            connection,
            actor_kind="system",
            actor_id=None,
            action="conversation.frozen",
            subject_kind="conversation",
            subject_id=conversation.id,
            details={
                "labels": list(assessment.labels),
                "steps": list(assessment.steps),
                "message": message_id,
            },
            at_ms=now,
        )
    frame = {
        "type": "conversation_frozen",
        "conversation": conversation.id,
        "channel": conversation.channel,
        "message": {
            "fr": "Cette conversation est suspendue et transmise à la modération. Si quelqu'un te met mal à "
            "l'aise, parles-en : le 3018 est gratuit, anonyme et confidentiel.",
            "en": "This conversation is paused and sent to the moderators. If someone makes you uneasy, "
            "talk about it: in France, 3018 is free, anonymous and confidential.",
        },
    }
    await services.bus.publish([notice(person_topic(pid), frame) for pid in (sender.id, recipient.id)])


def _request_event(
    stored: StoredMessage,
    sender: Person,
    recipient: Person,
    conversation: Conversation,
    extra: dict[str, Any] | None = None,
) -> Event:
    frame = {
        "type": "private_request",
        "conversation": conversation.id,
        "channel": conversation.channel,
        "seq": stored.seq,
        "id": stored.id,
        "sender": sender.pseudo,
        "sender_band": sender.age_band,
        "sender_gender": sender.gender,
        "text": stored.text[:PREVIEW_CHARS],
        "kind": stored.kind,  # a photo is seen only once the request is accepted
        "ts": stored.created_ms,
        **(extra or {}),  # a blurred first message stays blurred in the request's preview
    }
    return notice(person_topic(recipient.id), frame)


async def _conversation_for_sending(
    services: Services, sender: Person, recipient: Person
) -> tuple[Conversation, bool]:
    """The conversation a message goes to, and whether that message is a request."""
    async with services.transaction() as connection:
        conversation, is_request, answered = await _open_for_sending(connection, sender, recipient)
    if answered:  # published once committed
        await _publish_accepted(services, conversation, sender, recipient)
    return conversation, is_request


async def _open_for_sending(
    connection: Any, sender: Person, recipient: Person
) -> tuple[Conversation, bool, bool]:
    now = now_ms()
    if await store.either_blocked(connection, sender.id, recipient.id):
        raise PapoteRefusal("private_refused")
    conversation = await store.get_between(connection, sender.id, recipient.id)
    if conversation is None:
        return await store.open_request(connection, sender.id, recipient.id, now), True, False
    if conversation.status == "frozen":
        raise PapoteRefusal("conversation_frozen")
    if conversation.status == "accepted":
        return conversation, False, False
    if conversation.status == "pending" and conversation.requested_by == sender.id:
        raise PapoteRefusal("private_request_pending")
    if conversation.status == "pending":  # answering a request accepts it
        await store.set_status(connection, conversation.id, "accepted", now)
        accepted = Conversation(
            conversation.id,
            conversation.person_low,
            conversation.person_high,
            conversation.requested_by,
            "accepted",
        )
        return accepted, False, True
    if conversation.status == "declined" and conversation.requested_by == recipient.id:
        # the one who declined may start again: that is a new request
        return await store.open_request(connection, sender.id, recipient.id, now), True, False
    raise PapoteRefusal("private_refused")


async def _publish_accepted(
    services: Services, conversation: Conversation, by: Person, other: Person
) -> None:
    frame = {
        "type": "private_accepted",
        "conversation": conversation.id,
        "channel": conversation.channel,
        "by": by.pseudo,
        "peer": other.pseudo,
    }
    mirrored = {**frame, "peer": by.pseudo}
    await services.bus.publish([notice(person_topic(by.id), frame), notice(person_topic(other.id), mirrored)])


async def _pending_from(services: Services, person: Person, requester: Person) -> Conversation:
    async with services.transaction() as connection:
        conversation = await store.get_between(connection, person.id, requester.id)
    if conversation is None or conversation.status != "pending" or conversation.requested_by != requester.id:
        raise PapoteRefusal("private_no_request")
    return conversation


async def accept(services: Services, person: Person, pseudo: object) -> dict[str, Any]:
    requester = await find_person(services, pseudo)
    check_pair(person, requester)  # bands can change (a moderator's correction): check again
    conversation = await _pending_from(services, person, requester)
    async with services.transaction() as connection:
        if await store.either_blocked(connection, person.id, requester.id):
            raise PapoteRefusal("private_refused")
        await store.set_status(connection, conversation.id, "accepted", now_ms())
        rows = await history_store.read(connection, conversation.channel, limit=50)
    await _publish_accepted(services, conversation, person, requester)
    return {
        "conversation": conversation.id,
        "channel": conversation.channel,
        "peer": requester.pseudo,
        "history": [_private_item(r, conversation) for r in rows],
    }


async def decline(services: Services, person: Person, pseudo: object) -> None:
    requester = await find_person(services, pseudo)
    conversation = await _pending_from(services, person, requester)
    async with services.transaction() as connection:
        await store.set_status(connection, conversation.id, "declined", now_ms())
    frame = {"type": "private_declined", "conversation": conversation.id, "by": person.pseudo}
    await services.bus.publish(
        [notice(person_topic(requester.id), frame), notice(person_topic(person.id), frame)]
    )


async def block(services: Services, person: Person, pseudo: object) -> None:
    other = await find_person(services, pseudo)
    if other.id == person.id:
        raise PapoteRefusal("private_self")
    async with services.transaction() as connection:
        await store.add_block(connection, person.id, other.id, now_ms())
        conversation = await store.get_between(connection, person.id, other.id)
        if conversation is not None and conversation.status != "blocked":
            await store.set_status(connection, conversation.id, "blocked", now_ms())
    frame = {"type": "blocked", "pseudo": other.pseudo}
    await services.bus.publish([notice(person_topic(person.id), frame, hide_sender=other.id)])


async def unblock(services: Services, person: Person, pseudo: object) -> None:
    other = await find_person(services, pseudo)
    async with services.transaction() as connection:
        await store.remove_block(connection, person.id, other.id)
        conversation = await store.get_between(connection, person.id, other.id)
        if conversation is not None and conversation.status == "blocked":
            # back to a clean slate: the next message is a request again
            await store.set_status(connection, conversation.id, "declined", now_ms(), requested_by=other.id)
    frame = {"type": "unblocked", "pseudo": other.pseudo}
    await services.bus.publish([notice(person_topic(person.id), frame, unhide_sender=other.id)])


async def history(
    services: Services,
    person: Person,
    pseudo: object,
    after_seq: int | None,
    before_seq: int | None,
    limit: int,
) -> list[dict[str, Any]]:
    other = await find_person(services, pseudo)
    async with services.transaction() as connection:
        conversation = await store.get_between(connection, person.id, other.id)
        if conversation is None or not may_read(conversation, person.id):
            raise PapoteRefusal("not_in_conversation")
        rows = await history_store.read(
            connection,
            conversation.channel,
            after_seq=after_seq,
            before_seq=before_seq,
            limit=limit,
            viewer_id=person.id,
        )
    return [_private_item(r, conversation) for r in rows]


def _private_item(row: dict[str, Any], conversation: Conversation) -> dict[str, Any]:
    return {"conversation": conversation.id, **history_item(row)}


async def conversations(services: Services, person: Person) -> list[dict[str, Any]]:
    async with services.transaction() as connection:
        found = await store.conversations_of(connection, person.id)
        names = await store.pseudos(connection, [c["other_id"] for c in found])
        pending_previews = {}
        for item in found:
            if item["status"] == "pending" and not item["requested_by_me"]:
                rows = await history_store.read(connection, f"d:{item['id']}", after_seq=0, limit=1)
                pending_previews[item["id"]] = rows[0] if rows else None
    result = []
    for item in found:
        other = names.get(item.pop("other_id"), {})
        item["peer"] = other.get("pseudo")
        item["peer_band"] = other.get("age_band")
        item["channel"] = f"d:{item['id']}"
        first = pending_previews.get(item["id"])
        if first is not None:
            item["preview"] = first["text"][:PREVIEW_CHARS]
            item["preview_blurred"] = "blur" in first["flags"]
        result.append(item)
    return result


async def blocked_people(services: Services, person: Person) -> set[int]:
    async with services.transaction() as connection:
        return await store.blocked_by(connection, person.id)


async def blocked_pseudos(services: Services, person: Person) -> list[str]:
    async with services.transaction() as connection:
        ids = await store.blocked_by(connection, person.id)
        names = await store.pseudos(connection, sorted(ids))
    return sorted(str(n["pseudo"]) for n in names.values())


async def mark_read(services: Services, person: Person, pseudo: object, seq: int) -> None:
    other = await find_person(services, pseudo)
    async with services.transaction() as connection:
        conversation = await store.get_between(connection, person.id, other.id)
        if conversation is None or not may_read(conversation, person.id):
            raise PapoteRefusal("not_in_conversation")
        await store.mark_read(connection, conversation, person.id, seq)
