"""Anti-spam with a virtual clock: rate limits, flood, slow mode, new arrivals, bounded memory."""

from __future__ import annotations

import pytest

from papote.safety.antispam import (
    FLOOD,
    NEW_ARRIVAL_LINKS,
    NEW_ARRIVAL_PRIVATE,
    RATE_LIMITED,
    SLOW_MODE,
    AntispamConfig,
    FloodGuard,
    RateLimiter,
    contains_link,
    flood_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


SETTLED = 10_000.0  # seconds here: long past the new-arrival period


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_burst_then_rate_limited_with_retry_after(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(message_burst=3, messages_per_minute=6), now=clock)
    for _ in range(3):
        assert limiter.check_message("ana", "salut", seconds_here=SETTLED) is None
    refused = limiter.check_message("ana", "salut", seconds_here=SETTLED)
    assert refused is not None and refused.code == RATE_LIMITED
    assert refused.retry_after == pytest.approx(10.0)
    assert "10 s" in refused.fr and "10 s" in refused.en
    clock.advance(10.0)
    assert limiter.check_message("ana", "salut", seconds_here=SETTLED) is None
    assert limiter.check_message("bob", "salut", seconds_here=SETTLED) is None  # per person


def test_refused_messages_cost_nothing(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(message_burst=1, messages_per_minute=60), now=clock)
    assert limiter.check_message("ana", "a", seconds_here=SETTLED) is None
    for _ in range(5):
        assert limiter.check_message("ana", "a", seconds_here=SETTLED) is not None
    clock.advance(1.0)
    assert limiter.check_message("ana", "a", seconds_here=SETTLED) is None


def test_disabled_lifts_rate_limits_and_flood(clock: Clock) -> None:
    config = AntispamConfig(enabled=False, message_burst=1)
    limiter, guard = RateLimiter(config, now=clock), FloodGuard(config, now=clock)
    for _ in range(50):
        assert limiter.check_message("ana", "pareil", seconds_here=SETTLED) is None
        assert guard.check("ana", "pareil") is None


def test_links_have_their_own_rate(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(link_burst=2, links_per_hour=60), now=clock)
    for _ in range(2):
        assert limiter.check_message("ana", "regarde https://exemple.fr", seconds_here=SETTLED) is None
    refused = limiter.check_message("ana", "et www.exemple.fr", seconds_here=SETTLED)
    assert refused is not None and refused.code == RATE_LIMITED
    assert refused.retry_after == pytest.approx(60.0)
    assert limiter.check_message("ana", "sans lien", seconds_here=SETTLED) is None


def test_new_arrivals_cannot_post_links(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(new_arrival_seconds=600), now=clock)
    refused = limiter.check_message("new", "viens voir exemple.com", seconds_here=100)
    assert refused is not None and refused.code == NEW_ARRIVAL_LINKS
    assert refused.retry_after == pytest.approx(500)
    assert limiter.check_message("new", "bonjour tout le monde", seconds_here=100) is None
    assert limiter.check_message("new", "viens voir exemple.com", seconds_here=601) is None


def test_new_arrivals_cannot_open_private_conversations_with_strangers(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(new_arrival_seconds=600), now=clock)
    refused = limiter.check_private_request("new", known=False, seconds_here=60)
    assert refused is not None and refused.code == NEW_ARRIVAL_PRIVATE
    assert refused.retry_after == pytest.approx(540)
    assert limiter.check_private_request("new", known=True, seconds_here=60) is None


def test_zero_new_arrival_seconds_lifts_every_restriction(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(new_arrival_seconds=0), now=clock)
    assert limiter.check_message("new", "https://exemple.fr", seconds_here=0) is None
    assert limiter.check_private_request("new", known=False, seconds_here=0) is None


def test_first_private_messages_per_hour(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(private_burst=2, private_per_hour=6), now=clock)
    for _ in range(2):
        assert limiter.check_private_request("ana", known=False, seconds_here=SETTLED) is None
    refused = limiter.check_private_request("ana", known=False, seconds_here=SETTLED)
    assert refused is not None and refused.code == RATE_LIMITED
    assert refused.retry_after == pytest.approx(600)
    clock.advance(600)
    assert limiter.check_private_request("ana", known=False, seconds_here=SETTLED) is None


def test_slow_mode_per_room_and_person(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(), now=clock)

    def send(person: str, room: str) -> str | None:
        found = limiter.check_message(person, "msg", room=room, slow_mode_seconds=30, seconds_here=SETTLED)
        return found.code if found else None

    assert send("ana", "cuisine") is None
    clock.advance(10)
    assert send("ana", "cuisine") == SLOW_MODE
    assert send("bob", "cuisine") is None
    assert send("ana", "cinema") is None
    refused = limiter.check_message("ana", "msg", room="cuisine", slow_mode_seconds=30, seconds_here=SETTLED)
    assert refused is not None and refused.retry_after == pytest.approx(20)
    clock.advance(20)
    assert send("ana", "cuisine") is None


def test_slow_mode_stays_when_rate_limits_are_off(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(enabled=False), now=clock)
    assert limiter.check_message("ana", "a", room="r", slow_mode_seconds=5) is None
    refused = limiter.check_message("ana", "b", room="r", slow_mode_seconds=5)
    assert refused is not None and refused.code == SLOW_MODE


def test_flood_same_and_near_same_messages(clock: Clock) -> None:
    guard = FloodGuard(AntispamConfig(flood_repeats=3, flood_window_seconds=60), now=clock)
    assert guard.check("ana", "Rejoignez mon serveur !!!") is None
    clock.advance(5)
    assert guard.check("ana", "rejoignez mon serveeeur 2") is None
    clock.advance(5)
    refused = guard.check("ana", "REJOIGNEZ  mon  serveur")
    assert refused is not None and refused.code == FLOOD
    assert refused.retry_after == pytest.approx(50)
    assert guard.check("bob", "Rejoignez mon serveur") is None
    assert guard.check("ana", "autre chose") is None
    clock.advance(51)
    assert guard.check("ana", "Rejoignez mon serveur") is None


def test_short_replies_get_more_room(clock: Clock) -> None:
    guard = FloodGuard(AntispamConfig(flood_repeats=3, short_flood_repeats=5), now=clock)
    results = [guard.check("ana", "oui") for _ in range(5)]
    assert results[:4] == [None] * 4
    assert results[4] is not None and results[4].code == FLOOD


def test_flood_key_ignores_case_accents_digits_and_runs() -> None:
    assert flood_key("Éé GAGNE 100€ !!!") == flood_key("ee gagne 5 €")
    assert flood_key("salut") != flood_key("salu")
    assert flood_key("🔥🔥") == "🔥🔥"


def test_idle_keys_are_evicted(clock: Clock) -> None:
    config = AntispamConfig(idle_seconds=60)
    limiter, guard = RateLimiter(config, now=clock), FloodGuard(config, now=clock)
    for n in range(1000):
        limiter.check_message(f"p{n}", "salut", seconds_here=SETTLED)
        guard.check(f"p{n}", "salut")
    assert limiter.tracked_keys() == 1000
    clock.advance(120)
    for n in range(600):
        limiter.check_message("active", "x", seconds_here=SETTLED)
        guard.check("active", f"message {n} " + "x" * (n % 7))
        clock.advance(0.001)
    assert limiter.tracked_keys() <= 2
    assert guard.tracked_keys() <= 2


def test_memory_is_capped(clock: Clock) -> None:
    limiter = RateLimiter(AntispamConfig(max_keys=100), now=clock)
    for n in range(10_000):
        limiter.check_message(f"p{n}", "salut", seconds_here=SETTLED)
    assert limiter.tracked_keys() == 100


def test_config_from_environment() -> None:
    assert AntispamConfig.from_env({}) == AntispamConfig(enabled=True, new_arrival_seconds=600)
    config = AntispamConfig.from_env({"PAPOTE_RATE_LIMITS": "off", "PAPOTE_NEW_ARRIVAL_SECONDS": "0"})
    assert (config.enabled, config.new_arrival_seconds) == (False, 0)
    with pytest.raises(ValueError):
        AntispamConfig.from_env({"PAPOTE_NEW_ARRIVAL_SECONDS": "-5"})


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("https://exemple.fr", True),
        ("va sur www.exemple.com", True),
        ("exemple.gg/invite", True),
        ("rdv à 14h. on mange", False),
        ("j'ai 3.5 de moyenne", False),
    ],
)
def test_contains_link(text: str, link: bool) -> None:
    assert contains_link(text) is link
