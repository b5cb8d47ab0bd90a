"""Who connected from where: the one-year connection log that French law asks hosts to keep.

The full address and source port go to `connection_records`, which only the audited legal export reads;
everything else (ban evasion, "other pseudonyms from the same device") uses keyed hashes, so that the
moderation console and the logs never show an address.
"""

from __future__ import annotations

import logging

from papote.domain.errors import PapoteRefusal
from papote.domain.model import now_ms
from papote.domain.services import Services
from papote.storage import connections as store

log = logging.getLogger(__name__)
DEVICE_COOKIE = "papote_device"


async def record(
    services: Services, person_id: int, kind: str, peer: tuple[str, int] | None, device: str | None
) -> None:
    """Keep the record; a failure is logged and never stops the person from connecting."""
    ip, port = peer if peer is not None else ("unknown", 0)
    try:
        async with services.transaction() as connection:
            await store.record(
                connection,
                person_id=person_id,
                kind=kind,
                ip=ip[:45],
                port=port,
                ip_hash=services.keyed_hash(f"ip:{ip}"),
                device_hash=services.keyed_hash(f"device:{device}") if device else None,
                at_ms=now_ms(),
            )
    except Exception:
        log.exception("keeping a connection record failed")


async def refuse_ban_evasion(services: Services, device: str | None) -> None:
    """A suspension holds against the device, not only the pseudonym: no new entry from it meanwhile.

    Only the device counts, not the address: many people share one address (a family, a school, a
    mobile operator's NAT), and locking them all out for one person's ban would be unjust.
    """
    if not device:
        return
    async with services.transaction() as connection:
        evading = await store.suspended_on_device(
            connection, services.keyed_hash(f"device:{device}"), now_ms()
        )
    if evading:
        raise PapoteRefusal("device_suspended")
