"""Photos: checked in worker processes before anything is kept, sent as messages, fetched only by
people who may see the message that carries them, banked when a moderator removes them.

An upload is decoded, re-encoded without metadata, hashed (SHA-256 and PDQ) and scored for nudity in a
worker process (`papote.safety.images.inspect`). A match in a hash bank stops it there: nothing is
stored but the evidence (a child-abuse match goes to the quarantine store, never served). Otherwise the
clean file, its thumbnail and a blurred preview are stored, and the uploader may send it. The image
policy then decides per destination: allowed, blurred, or blocked.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson
from PIL import Image, ImageFilter

from papote.domain import verdicts
from papote.domain.errors import PapoteRefusal
from papote.domain.model import Person, now_ms
from papote.domain.safety_gate import Screening, screening_for, seconds_here
from papote.domain.services import Services
from papote.images.errors import ImageRefused
from papote.images.sanitize import ImageLimits, decoded, sanitize
from papote.images.store import DiskImageStore, ImageStore
from papote.moderation import audit
from papote.safety.base import Action, Context, Signal, Verdict
from papote.safety.images.banks import BANK_CATEGORIES, Bank, BankMatch, BankMatcher, parse_hash_list
from papote.safety.images.hashing import MIN_QUALITY, bank_variants
from papote.safety.images.inspect import ImageInspection, ImageWorkers
from papote.safety.images.policy import ImageContext, ImagePolicy, ImageVerdict
from papote.settings import Settings
from papote.storage import images as store

log = logging.getLogger(__name__)
PREVIEW_BLUR_RADIUS = 24
INTERNAL_BANK_PREFIX = "internal-"
DEFAULT_DISTANCE = 31
VARIANTS = ("image", "thumbnail", "preview")


@dataclass
class ImageServices:
    store: ImageStore
    quarantine: ImageStore
    workers: ImageWorkers
    matcher: BankMatcher
    policy: ImagePolicy
    limits: ImageLimits
    loaded_hash_id: int = 0
    banks: dict[str, Bank] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings) -> ImageServices:
        limits = ImageLimits(max_bytes=settings.image_max_bytes)
        return cls(
            store=DiskImageStore(settings.images_dir),
            quarantine=DiskImageStore(settings.quarantine_dir),
            workers=ImageWorkers(settings.image_workers, limits),
            matcher=BankMatcher(),
            policy=ImagePolicy(),
            limits=limits,
        )


def image_services(services: Services) -> ImageServices:
    found = services.images
    if found is None:
        raise PapoteRefusal("images_unavailable")
    assert isinstance(found, ImageServices)
    return found


# --- banks ---------------------------------------------------------------------------------------


async def refresh_banks(services: Services) -> int:
    """Load banks and hashes added since the last call (by the CLI, a moderator or another node)."""
    images = image_services(services)
    async with services.transaction() as connection:
        for row in await store.banks(connection):
            bank = Bank(row["name"], row["category"], row["distance"])
            if images.banks.get(bank.name) != bank:
                images.banks[bank.name] = bank
                images.matcher.add_bank(bank)
        rows = await store.hashes_after(connection, images.loaded_hash_id)
    for row in rows:
        pdq = [row["pdq"]] if row["pdq"] else []
        images.matcher.add_hashes(row["bank"], pdq, row["sha256"])
        images.loaded_hash_id = row["id"]
    return len(rows)


def check_bank(name: str, category: str, distance: int) -> None:
    if not name or len(name) > 60:
        raise ValueError("a bank name has 1 to 60 characters")
    if category not in BANK_CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(BANK_CATEGORIES)}")
    if not 0 <= distance <= 128:
        raise ValueError("the match distance is between 0 and 128")


async def import_hash_list(
    services: Services, bank: str, category: str, lines: Iterable[str], source: str, distance: int
) -> int:
    """Add a hash list (one PDQ hash per line, optional label) to a bank; returns how many hashes."""
    check_bank(bank, category, distance)
    parsed = parse_hash_list(lines)
    rows = [{"pdq": pdq, "label": label, "source": source} for pdq, label in parsed]
    return await _bank_rows(services, bank, category, distance, rows, source)


async def _bank_rows(
    services: Services, bank: str, category: str, distance: int, rows: list[dict[str, Any]], source: str
) -> int:
    now = now_ms()
    async with services.transaction() as connection:
        await store.ensure_bank(connection, bank, category, distance, now)
        added = await store.add_hashes(connection, bank, rows, now)
        details = {"category": category, "distance": distance, "hashes": added, "source": source[:200]}
        await audit.record(
            connection,
            actor_kind="operator",
            actor_id=None,
            action="bank.hashes_added",
            subject_kind="bank",
            subject_id=bank,
            details=details,
            at_ms=now,
        )
    return added


def image_hash_rows(data: bytes, limits: ImageLimits, source: str) -> list[dict[str, Any]]:
    """What banking one image stores: its SHA-256s and the PDQ of itself, its mirror and inner crops."""
    clean = sanitize(data, limits)
    rows: list[dict[str, Any]] = [
        {"sha256": digest, "source": source} for digest in {clean.sha256, clean.source_sha256}
    ]
    rows += [{"pdq": pdq, "source": source} for pdq in bank_variants(decoded(clean))]
    return rows


async def add_images_to_bank(
    services: Services, bank: str, category: str, files: Sequence[tuple[str, bytes]], distance: int
) -> int:
    """Bank images themselves (several hashes each, so crops and mirrors match too)."""
    check_bank(bank, category, distance)
    limits = ImageLimits(max_bytes=services.settings.image_max_bytes)
    rows: list[dict[str, Any]] = []
    for name, data in files:
        rows += await asyncio.to_thread(image_hash_rows, data, limits, name)
    return await _bank_rows(services, bank, category, distance, rows, ", ".join(name for name, _ in files))


async def bank_removed_image(services: Services, image_id: int, category: str) -> int:
    """A moderator removed this photo as illegal or non-consensual: re-uploads of it are stopped from now."""
    images = image_services(services)
    async with services.transaction() as connection:
        row = await store.get_image(connection, image_id)
        if row is None:
            raise PapoteRefusal("image_not_found")
        await store.set_status(connection, image_id, "removed")
    holder = images.quarantine if row["status"] == "quarantined" else images.store
    data = holder.get(row["sha256"])
    if data is None:
        raise PapoteRefusal("image_not_found")
    bank = INTERNAL_BANK_PREFIX + category
    added = await add_images_to_bank(
        services, bank, category, [(f"image:{image_id}", data)], DEFAULT_DISTANCE
    )
    await refresh_banks(services)
    return added


async def remove_photo(services: Services, message_id: int, category: str) -> int:
    """A moderator removes a photo message as illegal or non-consensual: hidden from everyone, kept as
    evidence, and banked so that any re-upload of it is stopped. Returns the hashes banked."""
    check_bank(INTERNAL_BANK_PREFIX + category, category, DEFAULT_DISTANCE)
    async with services.transaction() as connection:
        row = await store.message_with_image(connection, message_id)
        if row is None:
            raise PapoteRefusal("image_not_found")
        await store.hide_message(connection, message_id)
        await audit.record(
            connection,
            actor_kind="operator",
            actor_id=None,
            action="photo.removed",
            subject_kind="message",
            subject_id=message_id,
            details={"category": category, "image": row["id"], "sender": row["sender_id"]},
        )
    return await bank_removed_image(services, int(row["id"]), category)


async def list_banks(services: Services) -> list[dict[str, Any]]:
    async with services.transaction() as connection:
        return await store.banks(connection)


# --- upload --------------------------------------------------------------------------------------


async def upload(services: Services, person: Person, data: bytes) -> dict[str, Any]:
    """Check a photo in a worker process and keep it for sending; refuse it with a reason otherwise."""
    images = image_services(services)
    refusal = services.gate.limiter.check_image(str(person.id), seconds_here=seconds_here(person))
    if refusal is not None:
        raise PapoteRefusal(refusal.code, refusal.fr, refusal.en, {"retry_after": refusal.retry_after})
    try:
        inspection = await images.workers.inspect(data)
    except ImageRefused as refused:
        raise PapoteRefusal(refused.code, refused.fr, refused.en) from refused
    except Exception as error:  # a crashed worker or model: unchecked means not delivered
        log.exception("checking a photo failed")
        raise PapoteRefusal("image_check_failed") from error
    matches = await asyncio.to_thread(_matches, images, inspection)
    if matches:
        await _refuse_known(services, person, inspection, matches)
    clean = inspection.clean
    preview = await asyncio.to_thread(blurred_preview, clean.thumbnail)
    preview_sha = images.store.put(preview)
    images.store.put(clean.data)
    images.store.put(clean.thumbnail)
    async with services.transaction() as connection:
        image_id = await store.insert_image(connection, **_row(person, inspection, "ready", preview_sha))
    return {"image": image_id, "width": clean.width, "height": clean.height, "mime": clean.mime}


def _row(person: Person, inspection: ImageInspection, status: str, preview_sha: str) -> dict[str, Any]:
    clean = inspection.clean
    return {
        "uploader_id": person.id,
        "status": status,
        "sha256": clean.sha256,
        "source_sha256": clean.source_sha256,
        "thumbnail_sha256": clean.thumbnail_sha256,
        "preview_sha256": preview_sha,
        "mime": clean.mime,
        "width": clean.width,
        "height": clean.height,
        "pdq": inspection.raw_pdq or inspection.pdq,
        "pdq_quality": inspection.pdq_quality,
        "caption": inspection.caption,
        "nudity": orjson.dumps({k: round(v, 4) for k, v in inspection.nudity.items()}).decode(),
        "created_ms": now_ms(),
    }


def blurred_preview(thumbnail: bytes) -> bytes:
    """A preview so blurred that nothing explicit can be made out: what a blurred photo shows first."""
    with Image.open(io.BytesIO(thumbnail)) as opened:
        small = opened.convert("RGB")
    small.thumbnail((64, 64))
    blurred = small.filter(ImageFilter.GaussianBlur(PREVIEW_BLUR_RADIUS // 4)).resize(
        (max(1, small.width * 4), max(1, small.height * 4))
    )
    out = io.BytesIO()
    blurred.filter(ImageFilter.GaussianBlur(PREVIEW_BLUR_RADIUS)).save(out, format="JPEG", quality=70)
    return out.getvalue()


def _matches(images: ImageServices, inspection: ImageInspection) -> list[BankMatch]:
    clean = inspection.clean
    digests = [clean.sha256, clean.source_sha256]
    return images.matcher.match(inspection.pdq, digests, caption=inspection.caption)


async def _refuse_known(
    services: Services, person: Person, inspection: ImageInspection, matches: Sequence[BankMatch]
) -> None:
    """A known image: keep the evidence (quarantined if child abuse), open the case, refuse it."""
    images = image_services(services)
    context = ImageContext(
        channel="room",
        room_audience="all",
        sender_age_band=person.age_band,
        recipient_age_band=None,
        conversation_accepted=None,
        first_image_from_sender=True,
    )
    verdict = images.policy.decide(matches, inspection.nudity, context)
    status = "quarantined" if verdict.quarantine else "removed"
    holder = images.quarantine if verdict.quarantine else images.store
    holder.put(inspection.clean.data)  # evidence for the case; a removed image is never served
    async with services.transaction() as connection:
        image_id = await store.insert_image(connection, **_row(person, inspection, status, ""))
    screening = screening_of(verdict)
    await verdicts.carry_out(
        services,
        person,
        channel="upload",
        client_id=f"image-{inspection.clean.source_sha256[:56]}",
        text=f"[image {image_id}]",
        screening=screening,
        message_id=None,
        minor=person.age_band == "minor",
    )
    reason = verdict.reasons[0] if verdict.reasons else None
    raise PapoteRefusal(
        "image_blocked",
        fr=f"Photo non envoyée. {reason.fr}" if reason else "",
        en=f"Photo not sent. {reason.en}" if reason else "",
        details={"labels": list(verdict.labels)},
    )


# --- sending -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    """An uploaded photo about to be sent, with what the image policy needs to know of it."""

    image_id: int
    nudity: dict[str, float]
    matches: tuple[BankMatch, ...]
    first_in_channel: bool
    width: int
    height: int

    def screening(self, policy: ImagePolicy, context: ImageContext) -> Screening:
        verdict = policy.decide(
            self.matches, self.nudity, replace(context, first_image_from_sender=self.first_in_channel)
        )
        return screening_of(verdict)


async def attachment(services: Services, person: Person, image_id: object, channel: str | None) -> Attachment:
    """The sender's own checked upload, matched again (banks may have grown since the upload)."""
    images = image_services(services)
    if not isinstance(image_id, int) or isinstance(image_id, bool):
        raise PapoteRefusal("image_not_found")
    async with services.transaction() as connection:
        row = await store.get_image(connection, image_id)
        if row is None or row["uploader_id"] != person.id or row["status"] != "ready":
            raise PapoteRefusal("image_not_found")
        sent_before = await store.images_sent(connection, person.id, channel) if channel else 0
    pdq = row["pdq"] if row["pdq_quality"] >= MIN_QUALITY else None
    # In a thread: a captioned photo searches a wider radius, milliseconds against a million hashes.
    digests = [row["sha256"], row["source_sha256"]]
    matches = await asyncio.to_thread(images.matcher.match, pdq, digests, caption=row["caption"])
    return Attachment(
        image_id=image_id,
        nudity=dict(orjson.loads(row["nudity"])),
        matches=tuple(matches),
        first_in_channel=sent_before == 0,
        width=row["width"],
        height=row["height"],
    )


def image_policy(services: Services) -> ImagePolicy:
    return image_services(services).policy


def room_image_context(context: Context) -> ImageContext:
    return ImageContext(
        channel="room",
        room_audience=context.room_audience,
        sender_age_band=context.sender_age_band,
        recipient_age_band=None,
        conversation_accepted=None,
        first_image_from_sender=True,
    )


def private_image_context(context: Context) -> ImageContext:
    return ImageContext(
        channel="dm",
        room_audience=None,
        sender_age_band=context.sender_age_band,
        recipient_age_band=context.recipient_age_band,
        conversation_accepted=context.conversation_accepted,
        first_image_from_sender=True,
    )


def screening_of(verdict: ImageVerdict) -> Screening:
    """The image verdict in the chat core's terms: the same evidence, case and sanction path as text."""
    signals = tuple(
        Signal(
            "hash_bank", _label_of(m.category), 1.0 - m.distance / 256, rule=f"bank:{m.bank}:d{m.distance}"
        )
        for m in verdict.matches
    )
    text_verdict = Verdict(
        action=verdict.action,
        labels=verdict.labels,
        scores={},
        signals=signals,
        reasons=verdict.reasons,
        case_priority=verdict.case_priority,
        sanction=verdict.sanction,
    )
    screening = screening_for(text_verdict)
    return replace(screening, record=bool(verdict.labels))


def _label_of(category: str) -> str:
    return {"csam": "csam_signal", "ncii": "ncii"}.get(category, "image_known")


_RANK = {Action.ALLOW: 0, Action.TIP: 1, Action.BLUR: 2, Action.HOLD: 3, Action.BLOCK: 4}


def stricter(a: Screening, b: Screening) -> Screening:
    """Both verdicts at once: the stricter action, every label, the most urgent case."""
    first, second = (a, b) if _RANK[a.verdict.action] >= _RANK[b.verdict.action] else (b, a)
    labels = first.verdict.labels + tuple(x for x in second.verdict.labels if x not in first.verdict.labels)
    priorities = [p for p in (first.verdict.case_priority, second.verdict.case_priority) if p is not None]
    verdict = replace(
        first.verdict,
        labels=labels,
        signals=first.verdict.signals + second.verdict.signals,
        reasons=first.verdict.reasons + second.verdict.reasons,
        case_priority=min(priorities) if priorities else None,
        sanction=first.verdict.sanction or second.verdict.sanction,
        tip=first.verdict.tip or second.verdict.tip,
    )
    return replace(first, verdict=verdict, extra={**second.extra, **first.extra}, record=a.record or b.record)


# --- fetching ------------------------------------------------------------------------------------


async def fetch(services: Services, viewer: Person, message_id: int, variant: str) -> tuple[bytes, str]:
    """The photo of a message, for someone who may see that message; the same refusal otherwise."""
    from papote.domain.messages import may_see_message  # late: messages imports this module

    images = image_services(services)
    if variant not in VARIANTS:
        raise PapoteRefusal("image_not_found")
    async with services.transaction() as connection:
        row = await store.message_with_image(connection, message_id)
        allowed = row is not None and await may_see_message(connection, viewer, row)
    if row is None or not allowed or row["status"] != "ready":
        raise PapoteRefusal("image_not_found")
    key = {"image": "sha256", "thumbnail": "thumbnail_sha256", "preview": "preview_sha256"}[variant]
    data = images.store.get(row[key])
    if data is None:
        raise PapoteRefusal("image_not_found")
    mime = row["mime"] if variant == "image" else _mime_of(data)
    return data, mime


async def fetch_for_moderator(
    services: Services, moderator_check: Callable[[str], None], message_id: int, variant: str
) -> tuple[bytes, str]:
    """A message's photo for a moderator handling it (`moderator_check` refuses other rooms).

    Removed photos stay viewable for review and appeals; quarantined ones (a child-abuse bank match) are
    never served, not even here."""
    images = image_services(services)
    if variant not in VARIANTS:
        raise PapoteRefusal("image_not_found")
    async with services.transaction() as connection:
        row = await store.message_with_image(connection, message_id)
    if row is None or row["status"] not in ("ready", "removed"):
        raise PapoteRefusal("image_not_found")
    moderator_check(row["channel"])
    key = {"image": "sha256", "thumbnail": "thumbnail_sha256", "preview": "preview_sha256"}[variant]
    data = images.store.get(row[key]) if row[key] else None
    if data is None:
        raise PapoteRefusal("image_not_found")
    return data, row["mime"] if variant == "image" else _mime_of(data)


def _mime_of(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
