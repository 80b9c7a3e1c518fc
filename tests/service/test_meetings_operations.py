"""Meetings on a real database: cadence generation, listing and rolling, case references, move, cancel."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor
from service.context import EXTENSION
from service.meetings import listing
from service.meetings import operations as ops
from service.meetings.case_refs import next_sequence
from service.meetings.errors import MeetingCancelled, MeetingClash, NotListable
from service.models import AuditEvent, CaseReference, MeetingCase
from service.rules.triage import TriageFacts
from tests.service.meetings_helpers import at, kids, ready_referral
from tests.service.referral_helpers import record_for, seed

SYSTEM = Actor.system()
D = dt.date.fromisoformat


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.extensions[EXTENSION].db.session() as session:
        yield session


def _actions(session: Session) -> list[str]:
    return [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.at))]


def _barnet(session: Session, *days: str) -> list[uuid.UUID]:
    return [ops.create_meeting(session, "barnet-map", D(day), actor=SYSTEM).id for day in days]


@pytest.mark.db
def test_generate_takes_venue_time_membership_and_deadline_from_the_panel(session: Session) -> None:
    meetings = ops.generate_meetings(session, "barnet-map", count=3, start=D("2026-03-31"), actor=SYSTEM)
    assert [m.date for m in meetings] == [D("2026-03-31"), D("2026-04-07"), D("2026-04-14")]
    easter = meetings[1]
    assert easter.papers_deadline == D("2026-03-27")  # Good Friday and Easter Monday skipped
    assert easter.start_time == "10:00" and easter.duration_minutes == 120
    assert "locality hub" in easter.venue and "mash" in easter.members and len(easter.members) == 20
    again = ops.generate_meetings(session, "barnet-map", count=3, start=D("2026-03-31"), actor=SYSTEM)
    assert again == []  # dates already held are not created twice
    hackney = ops.generate_meetings(session, "hackney-mat", count=3, start=D("2026-03-02"), actor=SYSTEM)
    gaps = [b.date - a.date for a, b in zip(hackney, hackney[1:], strict=False)]
    assert gaps == [dt.timedelta(weeks=2)] * 2
    assert _actions(session).count("meeting.create") == 6
    with pytest.raises(MeetingClash):
        ops.create_meeting(session, "barnet-map", D("2026-04-07"), actor=SYSTEM)


@pytest.mark.db
def test_a_ready_referral_is_listed_for_the_first_meeting_whose_deadline_it_met(session: Session) -> None:
    first, second = _barnet(session, "2026-03-17", "2026-03-24")  # deadlines 10 and 17 March
    on_time = ready_referral(session, "barnet-map", at("2026-03-10", 16))
    late = ready_referral(session, "barnet-map", at("2026-03-11", 9))
    listed = listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-09"))
    assert {(row.referral_id, row.meeting_id, row.late) for row in listed} == {
        (on_time.id, first, False), (late.id, second, False)}  # the late one rolled to the next meeting
    assert listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-09")) == []  # once only
    cases = listing.meeting_cases(session, first)
    assert [(c.case_ref, c.initials, c.section, c.slot, c.late) for c in cases] == [
        ("BAR-2026-0001", "A.K., B.K.", "new", "10:00", False)]


@pytest.mark.db
def test_an_administrator_may_list_a_late_referral_which_is_then_marked_late(session: Session) -> None:
    first, second = _barnet(session, "2026-03-17", "2026-03-24")
    referral = ready_referral(session, "barnet-map", at("2026-03-12"))
    listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-09"))
    [rolled] = listing.meeting_cases(session, second)
    row = listing.list_case(session, first, referral.id, "new", actor=SYSTEM)
    assert row.id == rolled.case_id and row.meeting_id == first and row.late is True
    assert listing.meeting_cases(session, second) == []
    [case] = listing.meeting_cases(session, first)
    assert case.late is True and case.case_ref == rolled.case_ref
    not_ready = seed(session, record_for("barnet-map", consent__information_sharing=None), panel="barnet-map")
    with pytest.raises(NotListable, match="ready_for_panel"):
        listing.list_case(session, first, not_ready.id, "new", actor=SYSTEM)
    other_panel = ready_referral(session, "luton-afsp", at("2026-03-01"))
    with pytest.raises(NotListable, match="another panel"):
        listing.list_case(session, first, other_panel.id, "new", actor=SYSTEM)


@pytest.mark.db
def test_reviews_and_step_downs_have_their_own_sections_and_slots_follow_the_agenda_order(
        session: Session) -> None:
    first, second = _barnet(session, "2026-03-17", "2026-03-24")
    a = ready_referral(session, "barnet-map", at("2026-03-02"))
    b = ready_referral(session, "barnet-map", at("2026-03-03"), children=kids("Cara Dunn"))
    step = ready_referral(session, "barnet-map", at("2026-03-04"), children=kids("Eve Fox"))
    step.triage = TriageFacts.from_dict({**(step.triage or {}), "step_down_from_csc": True}).as_dict()
    session.commit()
    listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-09"))
    # a support plan of an earlier family falls due before the second meeting: reviewed at the first
    plan = listing.set_review_due(session, a.id, D("2026-03-20"), actor=SYSTEM, now=at("2026-03-09"))
    cases = listing.meeting_cases(session, first)
    assert [(c.referral_id, c.section, c.slot) for c in cases] == [
        (a.id, "new", "10:00"), (b.id, "new", "10:15"), (a.id, "review", "10:30"),
        (step.id, "step_down", "10:45")]
    review = next(c for c in cases if c.section == "review")
    assert plan.listed_case_id == review.case_id
    assert review.case_ref == cases[0].case_ref  # one reference per family
    # moving the review date past the second meeting moves the review there
    listing.set_review_due(session, a.id, D("2026-03-26"), actor=SYSTEM, now=at("2026-03-09"))
    assert [c.section for c in listing.meeting_cases(session, first)] == ["new", "new", "step_down"]
    assert [(c.referral_id, c.section) for c in listing.meeting_cases(session, second)] == [(a.id, "review")]
    assert "support_plan.review_due" in _actions(session)


@pytest.mark.db
def test_case_refs_run_per_panel_and_year(session: Session) -> None:
    # past dates, so the listing at seed time (which uses the clock) leaves these meetings alone
    barnet_2024, barnet_2025 = _barnet(session, "2024-12-24", "2025-01-07")
    luton = ops.create_meeting(session, "luton-afsp", D("2024-12-19"), actor=SYSTEM).id
    refs = []
    for number, (meeting, panel) in enumerate([(barnet_2024, "barnet-map"), (barnet_2024, "barnet-map"),
                                               (luton, "luton-afsp"), (barnet_2025, "barnet-map")]):
        referral = ready_referral(session, panel, at("2024-12-01"), children=kids(f"Child Number{number}"))
        refs.append(listing.list_case(session, meeting, referral.id, "new", actor=SYSTEM).case_ref)
    assert refs == ["BAR-2024-0001", "BAR-2024-0002", "LUT-2024-0001", "BAR-2025-0001"]
    assert len(set(session.scalars(select(CaseReference.case_ref)))) == 4


@pytest.mark.db
def test_case_ref_numbers_are_unique_when_taken_concurrently(app: Flask) -> None:
    db = app.extensions[EXTENSION].db
    taken: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def take() -> None:
        try:
            start.wait()
            for _ in range(4):
                with db.session() as own:
                    taken.append(next_sequence(own, "barnet-map", 2030))
                    own.commit()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(taken) == list(range(1, 25))


@pytest.mark.db
def test_moving_a_meeting_keeps_its_cases_and_marks_those_now_late(session: Session) -> None:
    first, _second = _barnet(session, "2026-03-17", "2026-03-24")
    early = ready_referral(session, "barnet-map", at("2026-03-02"))
    edge = ready_referral(session, "barnet-map", at("2026-03-10"))
    listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-09"))
    assert {c.referral_id for c in listing.meeting_cases(session, first)} == {early.id, edge.id}
    moved = ops.move_meeting(session, first, actor=SYSTEM, date=D("2026-03-13"), start_time="13:30",
                             venue="Town hall")
    assert moved.papers_deadline == D("2026-03-06") and moved.start_time == "13:30"
    cases = listing.meeting_cases(session, first)
    assert [(c.referral_id, c.late, c.slot) for c in cases] == [
        (early.id, False, "13:30"), (edge.id, True, "13:45")]  # ready 10 March: after the new deadline
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.move")).one()
    assert event.detail["now_late"] == [str(cases[1].case_id)]
    assert "Town hall" not in str(event.detail)


@pytest.mark.db
def test_cancelling_moves_cases_to_the_next_meeting_or_unlists_them(session: Session) -> None:
    first, second = _barnet(session, "2026-03-17", "2026-03-24")
    referral = ready_referral(session, "barnet-map", at("2026-03-02"))
    listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-09"))
    [case] = listing.meeting_cases(session, first)
    ops.cancel_meeting(session, first, actor=SYSTEM)
    [moved] = listing.meeting_cases(session, second)
    assert moved.case_id == case.case_id and moved.late is False
    with pytest.raises(MeetingCancelled):
        ops.move_meeting(session, first, actor=SYSTEM, start_time="11:00")
    ops.cancel_meeting(session, second, actor=SYSTEM)
    row = session.get(MeetingCase, case.case_id)
    assert row is not None and row.meeting_id is None  # nowhere to go: waits, same case id
    third = ops.create_meeting(session, "barnet-map", D("2026-03-31"), actor=SYSTEM)
    listing.list_ready(session, "barnet-map", actor=SYSTEM, now=at("2026-03-25"))
    [relisted] = listing.meeting_cases(session, third.id)
    assert relisted.case_id == case.case_id and relisted.referral_id == referral.id
    assert [ops.get_meeting(session, m).status for m in (first, second)] == ["cancelled", "cancelled"]
    assert _actions(session).count("meeting.cancel") == 2


@pytest.mark.db
def test_the_referral_checks_list_a_referral_when_it_becomes_ready(session: Session) -> None:
    from service.models import CheckTrigger
    from service.referrals.evaluation import run_checks

    first, second = _barnet(session, "2026-03-17", "2026-03-24")
    referral = seed(session, record_for("barnet-map", children=kids("Gil Hart")), panel="barnet-map")
    assert listing.meeting_cases(session, first) == []  # seeded "now": both meetings are past
    run_checks(session, referral, trigger=CheckTrigger.MANUAL, actor=SYSTEM, now=at("2026-03-11", 8))
    session.commit()
    assert listing.meeting_cases(session, first) == []
    [case] = listing.meeting_cases(session, second)
    assert (case.referral_id, case.section, case.late, case.initials) == (referral.id, "new", False, "G.H.")
    listed = session.scalars(select(AuditEvent).where(AuditEvent.action == "meeting.case_listed")).one()
    assert listed.detail["explicit"] is False and listed.object_id == str(second)
