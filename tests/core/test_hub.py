"""The delivery hot path, in process: one frame string for every recipient, blocks honoured."""

from __future__ import annotations

from dataclasses import dataclass, field

from papote.bus.base import Event
from papote.bus.local import LocalBus
from papote.transport.hub import Hub, Outbox
from papote.transport.wire import payload_of, text_frame


@dataclass(eq=False)
class FakeConnection:
    person_id: int
    outbox: Outbox = field(default_factory=Outbox)
    topics: set[str] = field(default_factory=set)


async def test_one_frame_object_is_shared_by_every_recipient() -> None:
    hub = Hub(LocalBus())
    await hub.start()
    people = [FakeConnection(i) for i in range(5)]
    for person in people:
        hub.add(person)
        hub.subscribe(person, "room:x")
    frame = '{"type":"message","text":"salut"}'
    hub.deliver(Event("room:x", frame, "r:x", 1, sender_id=99))
    framed = people[0].outbox.frames[0]
    assert all(p.outbox.frames[0] is framed for p in people)
    assert payload_of(framed) == frame
    assert hub.statistics()["delivered"] == 5


async def test_blocked_senders_are_hidden_and_control_events_subscribe() -> None:
    hub = Hub(LocalBus())
    await hub.start()
    blocker, other = FakeConnection(1), FakeConnection(2)
    for person in (blocker, other):
        hub.add(person)
        hub.subscribe(person, f"person:{person.person_id}")
    hub.deliver(Event("person:1", '{"type":"joined"}', subscribe="room:y", hide_sender=7))
    hub.deliver(Event("person:2", '{"type":"joined"}', subscribe="room:y"))
    hub.deliver(Event("room:y", '{"from":7}', "r:y", 1, sender_id=7))
    hub.deliver(Event("room:y", '{"from":8}', "r:y", 2, sender_id=8))
    assert texts(blocker.outbox.frames) == ['{"type":"joined"}', '{"from":8}']
    assert texts(other.outbox.frames) == ['{"type":"joined"}', '{"from":7}', '{"from":8}']


async def test_a_reader_too_far_behind_is_marked_for_closing() -> None:
    outbox = Outbox(limit=3)
    for i in range(5):
        outbox.push_frame(str(i))
    assert outbox.overflowed and texts(outbox.frames) == ["0", "1", "2"]
    assert texts(await outbox.drain()) == ["0", "1", "2"]


async def test_events_held_back_during_a_replay() -> None:
    outbox = Outbox()
    outbox.replay_buffer = []
    outbox.push(Event("room:z", "live", "r:z", 4))
    assert outbox.frames == [] and len(outbox.replay_buffer) == 1


def texts(frames: list[bytes]) -> list[str]:
    return [payload_of(frame) for frame in frames]


def test_frames_follow_the_websocket_format_for_every_size() -> None:
    for size in (0, 125, 126, 65535, 65536):
        text = "é" * (size // 2) + "a" * (size % 2)
        frame = text_frame(text)
        assert frame[0] == 0x81 and payload_of(frame) == text
