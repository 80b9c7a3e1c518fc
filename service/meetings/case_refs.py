"""Case references (``BAR-2026-0042``): one per referral, numbered per panel and year.

The number comes from a counter row per (panel, year), incremented with
``UPDATE ... RETURNING`` inside the caller's transaction. On PostgreSQL the update
locks the row until the transaction ends, so two listings at once get consecutive
numbers, never the same one; a first listing of the year creates the row in a
savepoint, and a racing creator that loses simply increments the winner's row.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.meetings.scheduling import format_case_ref
from service.models import CaseRefCounter, CaseReference


def next_sequence(session: Session, panel: str, year: int) -> int:
    """Take the next number of ``panel``'s ``year`` (the caller's transaction holds the row)."""
    bump = (update(CaseRefCounter)
            .where(CaseRefCounter.panel == panel, CaseRefCounter.year == year)
            .values(last=CaseRefCounter.last + 1)
            .returning(CaseRefCounter.last))
    taken = session.execute(bump).scalar_one_or_none()
    if taken is not None:
        return int(taken)
    try:
        with session.begin_nested():
            session.add(CaseRefCounter(panel=panel, year=year, last=1))
        return 1
    except IntegrityError:  # another transaction created the row first: use it
        return int(session.execute(bump).scalar_one())


def case_ref_for(session: Session, referral_id: uuid.UUID, panel: str, year: int) -> str:
    """The referral's case reference, allocating one (numbered in ``year``) on first listing."""
    existing = session.scalar(select(CaseReference.case_ref).where(CaseReference.referral_id == referral_id))
    if existing is not None:
        return existing
    sequence = next_sequence(session, panel, year)
    ref = format_case_ref(panel, year, sequence)
    session.add(CaseReference(referral_id=referral_id, panel=panel, year=year, sequence=sequence,
                              case_ref=ref))
    session.flush()
    return ref
