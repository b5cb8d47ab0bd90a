"""The retention job: old messages go, expired guests free their pseudonym and rooms."""

from __future__ import annotations

from dataclasses import dataclass

from papote.domain import rooms
from papote.domain.model import now_ms
from papote.domain.services import Services
from papote.moderation import holds
from papote.storage import connections as connection_store
from papote.storage import history
from papote.storage import images as image_store
from papote.storage import people as people_store

DAY_MS = 86_400_000


@dataclass(frozen=True)
class PurgeReport:
    messages_deleted: int
    guests_expired: int
    images_deleted: int = 0
    connection_records_deleted: int = 0
    evidence_deleted: int = 0


async def purge(services: Services, at_ms: int | None = None) -> PurgeReport:
    now = at_ms if at_ms is not None else now_ms()
    cutoff = now - services.settings.retention_days * DAY_MS
    records_cutoff = now - services.settings.connection_records_days * DAY_MS
    evidence_cutoff = now - services.settings.evidence_days_after_close * DAY_MS
    async with services.transaction() as connection:
        deleted = await history.purge_before(connection, cutoff)
        expired = await people_store.expired_guest_ids(connection, now)
        await people_store.delete_expired_sessions(connection, now)
        records = await connection_store.purge_before(connection, records_cutoff)
        pieces = await holds.purge_evidence(connection, evidence_cutoff)
    for person_id in expired:
        await _expire_guest(services, person_id)
    photos = await _purge_images(services, cutoff)
    return PurgeReport(deleted, len(expired), photos, records, pieces)


async def _purge_images(services: Services, cutoff: int) -> int:
    """Photos go with their messages: rows first, then the files no remaining photo shares."""
    if services.images is None:
        return 0
    async with services.transaction() as connection:
        rows = await image_store.purge_unused_before(connection, cutoff)
        digests = [row[key] for row in rows for key in ("sha256", "thumbnail_sha256", "preview_sha256")]
        in_use = await image_store.files_in_use(connection, [d for d in digests if d])
    for digest in set(digests) - in_use:
        if digest:
            services.images.store.delete(digest)
    return len(rows)


async def _expire_guest(services: Services, person_id: int) -> None:
    async with services.transaction() as connection:
        person = await people_store.get_person(connection, person_id)
        await people_store.release_guest_claim(connection, person_id)
    if person is not None:
        await rooms.leave_all(services, person)
