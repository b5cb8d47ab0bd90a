"""How long evidence is kept: while its case is open, then for the appeal window, longer under a legal hold.

A report freezes its evidence in `evidence` (its own copy of the messages, so the normal message purge may
delete the originals). Once a case is closed, its evidence is kept `evidence_days_after_close` days (by
default six months: an appeal can be lodged that long), then deleted by the retention job, unless an
operator put the case under a legal hold (a requisition, an ongoing investigation), which keeps it until
the hold is lifted. Holds are written to the audit log.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from papote.moderation import audit
from papote.storage.tables import cases, evidence


async def set_hold(
    connection: AsyncConnection, case_id: int, held: bool, requested_by: str, basis: str
) -> int:
    """Put (or lift) a legal hold on every piece of a case's evidence; returns how many pieces."""
    if await connection.scalar(select(cases.c.id).where(cases.c.id == case_id)) is None:
        raise LookupError(case_id)
    result = await connection.execute(
        update(evidence).where(evidence.c.case_id == case_id).values(legal_hold=held)
    )
    await audit.record(
        connection,
        actor_kind="operator",
        actor_id=None,
        action="legal.hold" if held else "legal.release",
        subject_kind="case",
        subject_id=case_id,
        details={"requested_by": requested_by, "basis": basis},
    )
    return int(result.rowcount or 0)


async def purge_evidence(connection: AsyncConnection, closed_before_ms: int) -> int:
    """Delete the evidence of cases closed before the cutoff, except what is under a legal hold."""
    expired_cases = select(cases.c.id).where(
        cases.c.closed_ms.is_not(None), cases.c.closed_ms < closed_before_ms
    )
    result = await connection.execute(
        delete(evidence).where(evidence.c.case_id.in_(expired_cases), evidence.c.legal_hold.is_(False))
    )
    return int(result.rowcount or 0)
