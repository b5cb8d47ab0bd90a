"""Anti-spam: per-person rate limits, repeated-message flood, room slow mode, new arrivals.

Everything takes an injected clock (`now`, seconds, monotonic) so tests use virtual
time. State is a few numbers per key in LRU-ordered dicts whose size is capped and
whose idle keys are evicted as a side effect of use: each check is O(1).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from papote.safety.detectors.age_claims import plain_fold

RATE_LIMITED = "rate_limited"
FLOOD = "flood"
NEW_ARRIVAL_LINKS = "new_arrival_links"
NEW_ARRIVAL_PRIVATE = "new_arrival_private"
SLOW_MODE = "slow_mode"
NEW_ARRIVAL_IMAGES = "new_arrival_images"

_TEXTS: dict[str, tuple[str, str]] = {
    RATE_LIMITED: (
        "Tu envoies trop vite. Réessaie dans {s} s.",
        "You are sending too fast. Try again in {s} s.",
    ),
    FLOOD: (
        "Tu as déjà envoyé ce message plusieurs fois. Réessaie dans {s} s.",
        "You have already sent this message several times. Try again in {s} s.",
    ),
    NEW_ARRIVAL_LINKS: (
        "Les liens sont possibles après tes premières minutes ici. Réessaie dans {s} s.",
        "Links are allowed after your first minutes here. Try again in {s} s.",
    ),
    NEW_ARRIVAL_PRIVATE: (
        "Tu pourras écrire en privé à quelqu'un que tu ne connais pas après tes premières minutes ici. "
        "Réessaie dans {s} s.",
        "You can write privately to people you don't know after your first minutes here. Try again in {s} s.",
    ),
    SLOW_MODE: (
        "Ce salon est en mode lent. Réessaie dans {s} s.",
        "This room is in slow mode. Try again in {s} s.",
    ),
    NEW_ARRIVAL_IMAGES: (
        "Les photos sont possibles après tes premières minutes ici. Réessaie dans {s} s.",
        "Photos are allowed after your first minutes here. Try again in {s} s.",
    ),
}

DEFAULT_NEW_ARRIVAL_SECONDS = 600


@dataclass(frozen=True)
class Refusal:
    code: str  # rate_limited, flood, new_arrival_links, new_arrival_private, new_arrival_images, slow_mode
    fr: str
    en: str
    retry_after: float  # seconds


def refusal(code: str, retry_after: float) -> Refusal:
    wait = max(1, int(retry_after + 0.999))
    fr, en = _TEXTS[code]
    return Refusal(code, fr.format(s=wait), en.format(s=wait), round(max(retry_after, 0.0), 3))


@dataclass(frozen=True)
class AntispamConfig:
    """Limits. `enabled=False` (PAPOTE_RATE_LIMITS=off) lifts per-person rate limits and the
    flood guard; slow mode stays (a room setting) and new arrivals follow `new_arrival_seconds`
    (0 lifts every new-arrival restriction)."""

    enabled: bool = True
    new_arrival_seconds: int = DEFAULT_NEW_ARRIVAL_SECONDS
    message_burst: int = 8  # messages sent back to back
    messages_per_minute: float = 30.0  # sustained rate after the burst
    private_burst: int = 5  # first messages to new people
    private_per_hour: float = 10.0
    link_burst: int = 3
    links_per_hour: float = 20.0
    image_burst: int = 5  # photos sent back to back
    images_per_hour: float = 60.0
    flood_window_seconds: float = 60.0
    flood_repeats: int = 3  # the 3rd same message within the window is refused
    short_flood_repeats: int = 5  # "oui", "mdr": short texts get more room
    short_text_chars: int = 6
    idle_seconds: float = 3600.0  # keys unused this long are forgotten
    max_keys: int = 200_000  # per table

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AntispamConfig:
        """Read PAPOTE_RATE_LIMITS (off/0/false/no disables) and PAPOTE_NEW_ARRIVAL_SECONDS."""
        switch = environ.get("PAPOTE_RATE_LIMITS", "on").strip().lower()
        raw = environ.get("PAPOTE_NEW_ARRIVAL_SECONDS", "").strip()
        seconds = int(raw) if raw else DEFAULT_NEW_ARRIVAL_SECONDS
        if seconds < 0:
            raise ValueError("PAPOTE_NEW_ARRIVAL_SECONDS must be 0 or more")
        return cls(enabled=switch not in ("off", "0", "false", "no"), new_arrival_seconds=seconds)


K = TypeVar("K")
V = TypeVar("V")


class _BoundedTable(Generic[K, V]):
    """A dict in least-recently-used order, capped in size, that drops idle keys as it goes."""

    def __init__(self, max_keys: int, idle_seconds: float) -> None:
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._max_keys = max_keys
        self._idle_seconds = idle_seconds

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K, now: float) -> V | None:
        self._evict(now)
        found = self._items.get(key)
        return found[1] if found is not None else None

    def put(self, key: K, value: V, now: float) -> None:
        self._items[key] = (now, value)
        self._items.move_to_end(key)
        self._evict(now)

    def _evict(self, now: float) -> None:
        # At most two idle keys per call keeps each call O(1) while memory drains steadily.
        for _ in range(2):
            oldest = next(iter(self._items.items()), None)
            if oldest is None or now - oldest[1][0] < self._idle_seconds:
                break
            self._items.popitem(last=False)
        while len(self._items) > self._max_keys:
            self._items.popitem(last=False)


@dataclass(frozen=True)
class _Bucket:
    tokens: float
    at: float


class _TokenBuckets:
    """Token buckets: `burst` at once, refilled at `per_second`."""

    def __init__(self, burst: int, per_second: float, config: AntispamConfig) -> None:
        self._burst = float(burst)
        self._rate = per_second
        self._table: _BoundedTable[str, _Bucket] = _BoundedTable(config.max_keys, config.idle_seconds)

    def __len__(self) -> int:
        return len(self._table)

    def _tokens(self, key: str, now: float) -> float:
        bucket = self._table.get(key, now)
        if bucket is None:
            return self._burst
        return min(self._burst, bucket.tokens + (now - bucket.at) * self._rate)

    def wait(self, key: str, now: float) -> float:
        """Seconds until one token is available (0.0 when one is there now); spends nothing."""
        tokens = self._tokens(key, now)
        if tokens >= 1.0:
            return 0.0
        return (1.0 - tokens) / self._rate if self._rate > 0 else float("inf")

    def take(self, key: str, now: float) -> None:
        self._table.put(key, _Bucket(self._tokens(key, now) - 1.0, now), now)


_LINK = re.compile(
    r"https?://|\bwww\.|\b[a-z0-9][a-z0-9\-]*\.(?:com|fr|net|org|io|ly|gg|me|be|ch|xyz|info|tv|co|link|app|site)\b",
    re.IGNORECASE,
)


def contains_link(text: str) -> bool:
    return _LINK.search(text) is not None


def _arrival_wait(config: AntispamConfig, seconds_here: float | None) -> float:
    """Seconds left in the new-arrival period (0.0 when over, lifted, or unknown)."""
    if config.new_arrival_seconds <= 0 or seconds_here is None:
        return 0.0
    return max(0.0, config.new_arrival_seconds - seconds_here)


class RateLimiter:
    """Per-person rate limits, new-arrival restrictions and per-room slow mode."""

    def __init__(self, config: AntispamConfig, now: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._now = now
        self._messages = _TokenBuckets(config.message_burst, config.messages_per_minute / 60.0, config)
        self._private = _TokenBuckets(config.private_burst, config.private_per_hour / 3600.0, config)
        self._links = _TokenBuckets(config.link_burst, config.links_per_hour / 3600.0, config)
        self._images = _TokenBuckets(config.image_burst, config.images_per_hour / 3600.0, config)
        self._last_in_room: _BoundedTable[tuple[str, str], float] = _BoundedTable(
            config.max_keys, config.idle_seconds
        )

    def check_message(
        self,
        person: str,
        text: str,
        *,
        room: str | None = None,
        slow_mode_seconds: float = 0.0,
        seconds_here: float | None = None,
    ) -> Refusal | None:
        """Check one message (room or private). None means it may go; a refused message costs nothing."""
        now = self._now()
        has_link = contains_link(text)
        wait = _arrival_wait(self.config, seconds_here)
        if has_link and wait > 0:
            return refusal(NEW_ARRIVAL_LINKS, wait)
        if room is not None and slow_mode_seconds > 0:
            last = self._last_in_room.get((room, person), now)
            if last is not None and now - last < slow_mode_seconds:
                return refusal(SLOW_MODE, slow_mode_seconds - (now - last))
        if self.config.enabled:
            retry = self._messages.wait(person, now)
            if has_link:
                retry = max(retry, self._links.wait(person, now))
            if retry > 0:
                return refusal(RATE_LIMITED, retry)
            self._messages.take(person, now)
            if has_link:
                self._links.take(person, now)
        if room is not None and slow_mode_seconds > 0:
            self._last_in_room.put((room, person), now, now)
        return None

    def check_private_request(
        self, person: str, *, known: bool, seconds_here: float | None = None
    ) -> Refusal | None:
        """Check a first private message to someone. `known`: they already talk or are friends."""
        if known:
            return None
        wait = _arrival_wait(self.config, seconds_here)
        if wait > 0:
            return refusal(NEW_ARRIVAL_PRIVATE, wait)
        if self.config.enabled:
            now = self._now()
            retry = self._private.wait(person, now)
            if retry > 0:
                return refusal(RATE_LIMITED, retry)
            self._private.take(person, now)
        return None

    def check_image(self, person: str, *, seconds_here: float | None = None) -> Refusal | None:
        """Check one photo upload: none in the new-arrival period, then a rate of its own."""
        wait = _arrival_wait(self.config, seconds_here)
        if wait > 0:
            return refusal(NEW_ARRIVAL_IMAGES, wait)
        if self.config.enabled:
            now = self._now()
            retry = self._images.wait(person, now)
            if retry > 0:
                return refusal(RATE_LIMITED, retry)
            self._images.take(person, now)
        return None

    def tracked_keys(self) -> int:
        """How many keys are held in memory (for tests and metrics)."""
        tables = (self._messages, self._private, self._links, self._images, self._last_in_room)
        return sum(len(table) for table in tables)


_NOT_LETTERS = re.compile(r"[^a-z]+")
_REPEATS = re.compile(r"([a-z])\1+")
_FLOOD_MEMORY = 8  # recent messages remembered per person


def flood_key(text: str) -> str:
    """Near-duplicates share a key: case, accents, digits, punctuation, spaces and letter runs ignored."""
    letters = _NOT_LETTERS.sub("", plain_fold(text))
    key = _REPEATS.sub(r"\1", letters)
    return key if key else text.strip()  # emoji-only messages compare as typed


class FloodGuard:
    """Refuses the same (or nearly the same) message repeated by one person in a short window."""

    def __init__(self, config: AntispamConfig, now: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self._now = now
        self._recent: _BoundedTable[str, deque[tuple[str, float]]] = _BoundedTable(
            config.max_keys, max(config.idle_seconds, config.flood_window_seconds)
        )

    def check(self, person: str, text: str) -> Refusal | None:
        if not self.config.enabled:
            return None
        now = self._now()
        key = flood_key(text)
        window = self.config.flood_window_seconds
        recent = self._recent.get(person, now)
        if recent is None:
            recent = deque(maxlen=_FLOOD_MEMORY)
        while recent and now - recent[0][1] >= window:
            recent.popleft()
        same = [at for seen, at in recent if seen == key]
        limit = (
            self.config.short_flood_repeats
            if len(key) < self.config.short_text_chars
            else self.config.flood_repeats
        )
        if len(same) + 1 >= limit:
            self._recent.put(person, recent, now)
            return refusal(FLOOD, window - (now - same[-(limit - 1)]))
        recent.append((key, now))
        self._recent.put(person, recent, now)
        return None

    def tracked_keys(self) -> int:
        return len(self._recent)
