"""Referral operations on a real database: stored checks, corrections, attachments, existing work, clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor
from service.context import EXTENSION
from service.models import (
    AuditEvent,
    Referral,
    ReferralCorrection,
    ReferralEvaluation,
    ReferralStatus,
    Role,
)
from service.referrals import operations as ops
from service.referrals.errors import ChairOnly, InvalidConsentEvent, InvalidCorrection, InvalidTriage
from service.referrals.operations import apply_extraction
from tests.service.referral_helpers import UPLOADED, record_for, seed

SYSTEM = Actor.system()
OVERRIDE = {"decided_by": "chair", "decided_at": "2026-03-03T10:00:00+00:00", "reason": "welfare concern"}


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.extensions[EXTENSION].db.session() as session:
        yield session


def _evaluations(session: Session, referral: Referral) -> list[ReferralEvaluation]:
    return list(
        session.scalars(
            select(ReferralEvaluation)
            .where(ReferralEvaluation.referral_id == referral.id)
            .order_by(ReferralEvaluation.evaluated_at)
        )
    )


def _actions(session: Session, referral: Referral) -> list[str]:
    return [
        e.action
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == str(referral.id)).order_by(AuditEvent.at)
        )
    ]


@pytest.mark.db
def test_each_extraction_stores_a_new_evaluation_and_the_newest_wins(session: Session) -> None:
    referral = seed(session, record_for("generic"))
    assert referral.route == "ready_for_panel"
    assert referral.record == referral.extracted_record
    document = referral.document_id
    harm = record_for("generic", safeguarding__significant_harm_concern=True)
    from service.models import Document, ExtractionRun

    session.add(
        ExtractionRun(
            document_id=document,
            status="succeeded",
            record=harm,
            confidence={"safeguarding.significant_harm_concern": 0.99},
        )
    )
    session.flush()
    apply_extraction(session, session.get(Document, document), status=ReferralStatus.EXTRACTED)
    session.commit()
    rows = _evaluations(session, referral)
    assert [r.route for r in rows] == ["ready_for_panel", "refer_to_social_care_now"]
    assert rows[-1].findings[0]["rule"] == "safeguarding.significant_harm"
    assert set(rows[-1].findings[0]) >= {"rule", "severity", "message", "path"}
    assert referral.route == "refer_to_social_care_now"
    assert "referral.check" in _actions(session, referral)


@pytest.mark.db
def test_a_failed_read_stores_no_verdict(session: Session) -> None:
    referral = seed(session, None)
    assert referral.status == ReferralStatus.NOT_A_FORM
    assert referral.route is None and _evaluations(session, referral) == []


@pytest.mark.db
def test_correction_is_a_version_that_keeps_the_extracted_value_and_rechecks(session: Session) -> None:
    referral = seed(
        session,
        record_for("generic", consent__information_sharing=None),
        confidence={"safeguarding.significant_harm_concern": 0.99},
    )
    assert referral.route == "needs_review"

    rows = ops.correct_referral(
        session,
        referral.id,
        {"consent.information_sharing": True, "consent.panel_discussion": True},
        actor=SYSTEM,
    )
    assert [r.version for r in rows] == [1, 2]
    assert rows[0].extracted_value == {"value": None} and rows[0].new_value == {"value": True}
    assert referral.record["consent"]["information_sharing"] is True
    assert referral.extracted_record["consent"]["information_sharing"] is None  # what was read is kept
    assert referral.route == "ready_for_panel"  # a corrected field counts as confirmed

    again = ops.correct_referral(session, referral.id, {"consent.information_sharing": "false"}, actor=SYSTEM)
    assert again[0].version == 3 and again[0].previous_value == {"value": True}
    assert again[0].new_value == {"value": False}  # read by the record schema (boolean)
    assert referral.route == "consent_missing"
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.correct")).all()
    assert [e.detail["paths"] for e in events] == [
        ["consent.information_sharing", "consent.panel_discussion"],
        ["consent.information_sharing"],
    ]
    assert "Test" not in str([e.detail for e in events])


@pytest.mark.db
@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("consent.not_a_field", True),
        ("children[0].date_of_birth", "2 March 2020"),
        ("level_of_need.tier", 9),
        ("children[5].full_name", "Someone"),
        ("needs[", "x"),
        ("safeguarding", "yes"),
    ],
)
def test_a_bad_correction_names_the_path_and_changes_nothing(
    session: Session, path: str, value: object
) -> None:
    referral = seed(session, record_for("generic"))
    before = dict(referral.record)
    with pytest.raises(InvalidCorrection) as caught:
        ops.correct_referral(session, referral.id, {"consent.date": "2026-02-21", path: value}, actor=SYSTEM)
    assert caught.value.detail.startswith(path) and caught.value.status == 422
    session.rollback()
    assert session.get(Referral, referral.id).record == before
    assert session.scalars(select(ReferralCorrection)).all() == []


@pytest.mark.db
def test_an_attached_document_fills_gaps_but_never_overwrites_a_correction(session: Session) -> None:
    first = record_for("generic", child_views=None, parent_views=None, consent__information_sharing=None)
    referral = seed(session, first, confidence={"safeguarding.significant_harm_concern": 0.99})
    ops.correct_referral(session, referral.id, {"child_views": "Said they like school."}, actor=SYSTEM)

    later = record_for(
        "generic",
        child_views="Read from the rescan",
        parent_views="Parent wants help",
        consent__information_sharing=True,
    )
    seed(
        session,
        later,
        attach_to=referral.id,
        uploaded_at=UPLOADED + dt.timedelta(days=1),
        confidence={
            "consent.information_sharing": 0.95,
            "consent.panel_discussion": 0.95,
            "child_views": 1.0,
            "safeguarding.significant_harm_concern": 0.99,
        },
    )
    session.refresh(referral)
    assert referral.record["parent_views"] == "Parent wants help"  # was empty: filled
    assert referral.record["consent"]["information_sharing"] is True
    assert referral.record["child_views"] == "Said they like school."  # the officer's correction stands
    assert referral.extracted_record["child_views"] == "Read from the rescan"
    assert referral.route == "ready_for_panel"
    assert len(ops.document_ids(session, referral)) == 2
    assert session.scalars(select(Referral)).all() == [referral]


@pytest.mark.db
def test_same_child_assessed_recently_joins_the_existing_caf(session: Session) -> None:
    earlier = seed(
        session,
        record_for("wolverhampton-mast", referrer__full_name="Lead Professional Epsilon"),
        panel="wolverhampton-mast",
        uploaded_at=UPLOADED - dt.timedelta(days=1),
    )
    later = seed(
        session, record_for("wolverhampton-mast", family__postcode="ZZ9 9ZZ"), panel="wolverhampton-mast"
    )
    other_panel = seed(session, record_for("generic"), panel="generic")
    assert later.route == "join_existing_caf"
    assert later.linked_referral_id == earlier.id
    finding = next(f for f in _evaluations(session, later)[-1].findings if f["rule"] == "existing.assessment")
    assert finding["data"]["lead_professional"] == "Lead Professional Epsilon"
    assert finding["data"]["referral_id"] == str(earlier.id)
    assert "Epsilon" not in finding["message"]
    assert earlier.route == "ready_for_panel" and earlier.linked_referral_id is None
    assert other_panel.route == "ready_for_panel"  # another panel's assessment is not this panel's team


@pytest.mark.db
def test_same_name_different_child_is_not_joined(session: Session) -> None:
    seed(
        session,
        record_for("wolverhampton-mast"),
        panel="wolverhampton-mast",
        uploaded_at=UPLOADED - dt.timedelta(days=1),
    )
    other = seed(
        session,
        record_for("wolverhampton-mast", **{"children[0]__date_of_birth": "2019-01-01"}),
        panel="wolverhampton-mast",
    )
    assert other.route == "ready_for_panel" and other.linked_referral_id is None


@pytest.mark.db
def test_social_care_clock_is_overdue_until_the_referral_is_recorded(session: Session) -> None:
    referral = seed(session, record_for("generic", safeguarding__significant_harm_concern=True))
    assert referral.route == "refer_to_social_care_now"
    assert referral.harm_due_at == UPLOADED + dt.timedelta(hours=24)
    assert ops.overdue_social_care(session, now=UPLOADED + dt.timedelta(hours=23)) == []
    assert ops.overdue_social_care(session) == [referral]

    ops.record_social_care_referral(
        session,
        referral.id,
        made_at=UPLOADED + dt.timedelta(hours=30),
        reference="CSC-1",
        by="triage officer",
        actor=SYSTEM,
    )
    assert ops.overdue_social_care(session) == []
    assert referral.harm_due_at is None and referral.route == "refer_to_social_care_now"
    assert referral.triage["social_care_referral"]["made_at"].startswith("2026-03-03T15:30")
    assert "referral.social_care_referral" in _actions(session, referral)


@pytest.mark.db
def test_consent_withdrawal_is_a_timeline_event(session: Session) -> None:
    referral = seed(session, record_for("generic"))
    assert referral.route == "ready_for_panel"
    ops.add_consent_event(
        session,
        referral.id,
        kind="withdrawn",
        scopes=["information_sharing"],
        on=dt.date(2026, 3, 10),
        given_by="parent_carer",
        how_recorded="phone call",
        actor=SYSTEM,
    )
    assert referral.route == "consent_missing"
    assert ops.consent_in_force(session, referral.id, dt.date(2026, 3, 9)).information_sharing is True
    assert ops.consent_in_force(session, referral.id, dt.date(2026, 3, 10)).information_sharing is False
    with pytest.raises(InvalidConsentEvent):
        ops.add_consent_event(
            session,
            referral.id,
            kind="withdrawn",
            scopes=["information_sharing"],
            on=None,
            given_by="parent_carer",
            how_recorded="phone",
            actor=SYSTEM,
        )
    session.rollback()
    ops.add_consent_event(
        session,
        referral.id,
        kind="given",
        scopes=["information_sharing"],
        on=dt.date(2026, 3, 12),
        given_by="parent_carer",
        excluded_agencies=["Housing"],
        actor=SYSTEM,
    )
    assert ops.consent_in_force(session, referral.id, dt.date(2026, 3, 12)).excluded_agencies == ("Housing",)


@pytest.mark.db
def test_only_a_chair_records_the_override_and_a_chair_changes_nothing_else(session: Session) -> None:
    referral = seed(
        session, record_for("hackney-mat", consent__information_sharing=False), panel="hackney-mat"
    )
    assert referral.route == "consent_missing"
    ops.update_triage(
        session, referral.id, {"welfare_concern": True}, replace=False, actor=SYSTEM, role=Role.TRIAGE
    )
    assert referral.route == "awaiting_chair_decision"
    with pytest.raises(ChairOnly):
        ops.update_triage(
            session, referral.id, {"chair_override": OVERRIDE}, replace=False, actor=SYSTEM, role=Role.ADMIN
        )
    session.rollback()
    with pytest.raises(ChairOnly):
        ops.update_triage(
            session,
            referral.id,
            {"chair_override": OVERRIDE, "known_to_csc": True},
            replace=False,
            actor=SYSTEM,
            role=Role.CHAIR,
        )
    session.rollback()
    ops.update_triage(
        session, referral.id, {"chair_override": OVERRIDE}, replace=False, actor=SYSTEM, role=Role.CHAIR
    )
    assert referral.route == "ready_for_panel"
    assert _evaluations(session, referral)[-1].basis == "safeguarding"
    # a triage officer may change other facts as long as the chair's decision is left as it is
    ops.update_triage(
        session, referral.id, {"known_to_csc": False}, replace=False, actor=SYSTEM, role=Role.TRIAGE
    )
    with pytest.raises(InvalidTriage) as caught:
        ops.update_triage(
            session, referral.id, {"not_a_fact": 1}, replace=False, actor=SYSTEM, role=Role.TRIAGE
        )
    assert "triage.not_a_fact" in caught.value.detail
