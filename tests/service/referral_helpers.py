"""Seeding referrals for the referral tests: a stored extraction run, then the real post-extraction path.

``seed`` writes what an extraction job writes (document row, run) and calls
``apply_extraction`` exactly as the job does, so the checks, the stored evaluation and
the merge all run for real; only the reading of a file is skipped (the corpus tests
cover that).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from service.models import Document, ExtractionRun, Referral, ReferralDocument, ReferralStatus
from service.referrals.operations import apply_extraction
from tests.rules.records import FULL_CONFIDENCE, clean_record, set_path

UPLOADED = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)  # a Monday; clean_record's consent is in date


def record_for(panel: str = "generic", **paths: Any) -> dict[str, Any]:
    """``clean_record(panel)`` with ``path__with__dots=value`` changes (``__`` for ``.``)."""
    record = clean_record(panel)
    for key, value in paths.items():
        record = set_path(record, key.replace("__", "."), value)
    return record


def seed(
    session: Session,
    record: dict[str, Any] | None,
    *,
    panel: str = "generic",
    uploaded_at: dt.datetime = UPLOADED,
    confidence: dict[str, float] | None = None,
    attach_to: uuid.UUID | None = None,
) -> Referral:
    document = Document(
        sha256=uuid.uuid4().hex * 2,
        media_type="application/pdf",
        size=1,
        object_key=f"test/{uuid.uuid4().hex}",
        storage_backend="file",
        panel=panel,
        uploaded_at=uploaded_at,
    )
    session.add(document)
    session.flush()
    if attach_to is None:
        session.add(
            Referral(
                document_id=document.id, panel=panel, status=ReferralStatus.RECEIVED, created_at=uploaded_at
            )
        )
    else:
        session.add(ReferralDocument(referral_id=attach_to, document_id=document.id, attached_at=uploaded_at))
    session.add(
        ExtractionRun(
            document_id=document.id,
            status="succeeded" if record else "failed",
            record=record,
            confidence=FULL_CONFIDENCE if confidence is None else confidence,
            created_at=uploaded_at,
        )
    )
    session.flush()
    referral = apply_extraction(
        session, document, status=ReferralStatus.EXTRACTED if record else ReferralStatus.NOT_A_FORM
    )
    session.commit()
    return referral
