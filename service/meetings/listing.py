"""Which cases a meeting discusses: new referrals, support-plan reviews and step-downs.

A referral routed ``ready_for_panel`` is listed, once, for the first upcoming meeting
whose papers deadline it met (the day it became ready, in UK time, no later than the
deadline day); one that missed a deadline rolls to the following meeting. An
administrator may list a referral explicitly for an earlier meeting: it is then marked
late. Support plans are listed as reviews at the last meeting before their review falls
due. Each case keeps one row (its ``case_id``) as it moves between meetings.

Functions that end a user action commit; :func:`list_ready_referral`, called from the
referral checks, only flushes (its caller commits).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from renderers.context import initials as name_initials
from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.errors import NotFound
from service.meetings.case_refs import case_ref_for
from service.meetings.errors import CaseNotFound, MeetingCancelled, NotListable
from service.meetings.queries import get_meeting, meeting_after, panel_for, scheduled_meetings
from service.meetings.scheduling import add_minutes, slot_minutes
from service.models import (
    CaseSection,
    Meeting,
    MeetingCase,
    MeetingStatus,
    Referral,
    ReferralEvaluation,
    SupportPlan,
)
from service.rules import Route

log = logging.getLogger(__name__)

UK = ZoneInfo("Europe/London")
SECTION_ORDER = (CaseSection.NEW, CaseSection.REVIEW, CaseSection.STEP_DOWN)
#: sections a referral enters once, when it first becomes ready (reviews recur)
FIRST_LISTING = (CaseSection.NEW, CaseSection.STEP_DOWN)
#: the triage fact (service.rules.triage.TriageFacts) that marks a step-down from children's social care
STEP_DOWN_KEY = "step_down_from_csc"


@dataclass(frozen=True)
class ListedCase:
    """One case as a meeting lists it: what agendas, packs and decisions refer to."""

    case_id: uuid.UUID
    referral_id: uuid.UUID
    case_ref: str
    initials: str
    section: str
    slot: str
    late: bool
    position: int

    def as_line(self) -> dict[str, Any]:
        """The exact ``mapdocs meetings cases`` / ``GET /meetings/<id>/cases`` object."""
        return {"case_id": str(self.case_id), "referral_id": str(self.referral_id), "case_ref": self.case_ref,
                "initials": self.initials, "section": self.section, "slot": self.slot, "late": self.late}


# --- reading -------------------------------------------------------------------------------------

def children_initials(record: dict[str, Any] | None) -> str:
    """``"A.K., B.K."``: each child's initials in form order; never a name."""
    children = (record or {}).get("children") or []
    found = [name_initials(str(child.get("full_name") or ""))
             for child in children if isinstance(child, dict)]
    return ", ".join(found) if found else "?"


def uk_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(UK).date()


def misses_deadline(ready_at: dt.datetime | None, meeting: Meeting) -> bool:
    return ready_at is not None and uk_date(ready_at) > meeting.papers_deadline


def _section_rank(section: str) -> int:
    return SECTION_ORDER.index(CaseSection(section))


def meeting_rows(session: Session, meeting_id: uuid.UUID) -> list[MeetingCase]:
    """A meeting's cases in agenda order: new, reviews, step-downs; each in listing order."""
    rows = session.scalars(select(MeetingCase).where(MeetingCase.meeting_id == meeting_id)).all()
    return sorted(rows, key=lambda r: (_section_rank(r.section), r.position, r.listed_at))


def meeting_cases(session: Session, meeting_id: uuid.UUID) -> list[ListedCase]:
    """The listed cases of a meeting with their slot times (start + n x the panel's slot length)."""
    meeting = get_meeting(session, meeting_id)
    step = slot_minutes(panel_for(meeting.panel))
    rows = meeting_rows(session, meeting_id)
    query = select(Referral.id, Referral.record).where(Referral.id.in_({r.referral_id for r in rows}))
    records: dict[uuid.UUID, dict[str, Any] | None] = {rid: record for rid, record in session.execute(query)}
    return [ListedCase(case_id=row.id, referral_id=row.referral_id, case_ref=row.case_ref,
                       initials=children_initials(records.get(row.referral_id)), section=row.section,
                       slot=add_minutes(meeting.start_time, step * index), late=row.late,
                       position=row.position)
            for index, row in enumerate(rows)]


def case_for(session: Session, case_id: uuid.UUID) -> MeetingCase:
    row = session.get(MeetingCase, case_id)
    if row is None:
        raise CaseNotFound()
    return row


def ready_since(session: Session, referral: Referral) -> dt.datetime | None:
    """When the referral's current run of ``ready_for_panel`` verdicts began (None if not ready)."""
    routes = session.execute(select(ReferralEvaluation.route, ReferralEvaluation.evaluated_at)
                             .where(ReferralEvaluation.referral_id == referral.id)
                             .order_by(ReferralEvaluation.evaluated_at.desc())).all()
    since: dt.datetime | None = None
    for route, at in routes:
        if route != Route.READY_FOR_PANEL:
            break
        since = at
    return since


def is_step_down(referral: Referral) -> bool:
    return (referral.triage or {}).get(STEP_DOWN_KEY) is True


def _first_listing(session: Session, referral_id: uuid.UUID) -> MeetingCase | None:
    return session.scalar(select(MeetingCase).where(MeetingCase.referral_id == referral_id,
                                                    MeetingCase.section.in_([str(s) for s in FIRST_LISTING]))
                          .order_by(MeetingCase.listed_at).limit(1))


def _next_position(session: Session, meeting_id: uuid.UUID) -> int:
    top = session.scalar(select(func.max(MeetingCase.position)).where(MeetingCase.meeting_id == meeting_id))
    return (top or 0) + 1


def _place(session: Session, row: MeetingCase, meeting: Meeting) -> MeetingCase:
    """Put ``row`` at the end of ``meeting``'s list; lateness is judged against its deadline."""
    row.meeting_id = meeting.id
    row.position = _next_position(session, meeting.id)
    row.late = misses_deadline(row.ready_at, meeting) if row.section != CaseSection.REVIEW else False
    session.add(row)
    session.flush()
    return row


def _new_row(session: Session, referral: Referral, meeting: Meeting, section: str, *,
             ready_at: dt.datetime | None, listed_by: str) -> MeetingCase:
    ref = case_ref_for(session, referral.id, referral.panel, meeting.date.year)
    return MeetingCase(referral_id=referral.id, panel=referral.panel, case_ref=ref, section=str(section),
                       ready_at=ready_at, listed_by=listed_by, listed_at=utcnow())


def _audit_listing(session: Session, actor: Actor, row: MeetingCase, *, explicit: bool) -> None:
    record_event(session, actor, "meeting.case_listed", object_type="meeting", object_id=row.meeting_id,
                 detail={"case_id": str(row.id), "referral_id": str(row.referral_id), "section": row.section,
                         "late": row.late, "explicit": explicit})


# --- new referrals and step-downs ----------------------------------------------------------------

def meeting_for_ready(session: Session, panel: str, ready_at: dt.datetime,
                      now: dt.datetime) -> Meeting | None:
    """The first upcoming meeting whose papers deadline ``ready_at`` met (late ones roll on)."""
    ready_day = uk_date(ready_at)
    for meeting in scheduled_meetings(session, panel, on_or_after=max(uk_date(now), ready_day)):
        if meeting.papers_deadline >= ready_day:
            return meeting
    return None


def list_ready_referral(session: Session, referral: Referral, *, now: dt.datetime | None = None,
                        ready_at: dt.datetime | None = None,
                        actor: Actor | None = None) -> MeetingCase | None:
    """List a ``ready_for_panel`` referral not yet listed; None when it is not ready or has no meeting.

    Called by the referral checks after the route is stored (the caller commits).
    """
    if referral.route != Route.READY_FOR_PANEL:
        return None
    existing = _first_listing(session, referral.id)
    if existing is not None and existing.meeting_id is not None:
        return None  # listed already (upcoming or discussed): listing happens once
    now = now or utcnow()
    ready_at = ready_at or (existing.ready_at if existing else None) or ready_since(session, referral) or now
    meeting = meeting_for_ready(session, referral.panel, ready_at, now)
    if meeting is None:
        return None
    section = CaseSection.STEP_DOWN if is_step_down(referral) else CaseSection.NEW
    row = existing or _new_row(session, referral, meeting, section, ready_at=ready_at, listed_by="system")
    row.ready_at = ready_at
    _place(session, row, meeting)
    _audit_listing(session, actor or Actor.system(), row, explicit=False)
    log.info("case listed automatically (%s)", row.section)
    return row


def list_ready(session: Session, panel: str, *, actor: Actor,
               now: dt.datetime | None = None) -> list[MeetingCase]:
    """List every ready referral of ``panel`` not yet listed, and every review falling due; commit."""
    panel_for(panel)
    now = now or utcnow()
    listed: list[MeetingCase] = []
    referrals = session.scalars(select(Referral).where(Referral.panel == panel,
                                                       Referral.route == Route.READY_FOR_PANEL)).all()
    waiting = [(ready_since(session, referral) or now, referral) for referral in referrals]
    waiting.sort(key=lambda pair: (pair[0], pair[1].created_at, str(pair[1].id)))
    for ready_at, referral in waiting:
        row = list_ready_referral(session, referral, now=now, ready_at=ready_at, actor=actor)
        if row is not None:
            listed.append(row)
    listed.extend(list_reviews(session, panel, actor=actor, now=now))
    session.commit()
    return listed


def list_case(session: Session, meeting_id: uuid.UUID, referral_id: uuid.UUID, section: str, *,
              actor: Actor, now: dt.datetime | None = None) -> MeetingCase:
    """An administrator lists a referral for a meeting; papers after its deadline make it late. Commits.

    New referrals and step-downs must be ``ready_for_panel``; one already listed for
    another meeting moves here (its case id and reference stay). A review may be listed
    for any referral of the panel.
    """
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingCancelled()
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("No referral with this id")
    if referral.panel != meeting.panel:
        raise NotListable("This referral was made to another panel")
    wanted = CaseSection(section)
    if wanted is CaseSection.REVIEW:
        row = _list_review(session, referral, meeting, listed_by=actor.kind)
    else:
        if referral.route != Route.READY_FOR_PANEL:
            raise NotListable("Only a referral routed ready_for_panel can be listed as new or step-down "
                              f"(its route is {referral.route})")
        existing = _first_listing(session, referral.id)
        ready_at = ((existing.ready_at if existing else None) or ready_since(session, referral)
                    or (now or utcnow()))
        row = existing or _new_row(session, referral, meeting, wanted, ready_at=ready_at,
                                   listed_by=actor.kind)
        row.section = str(wanted)
        row.ready_at = ready_at
        if row.meeting_id != meeting.id:
            _place(session, row, meeting)
        else:
            row.late = misses_deadline(row.ready_at, meeting)
    session.flush()
    _audit_listing(session, actor, row, explicit=True)
    session.commit()
    return row


# --- reviews -------------------------------------------------------------------------------------

def _review_meeting(session: Session, panel: str, review_due: dt.date, today: dt.date) -> Meeting | None:
    """The first upcoming meeting before whose successor the review falls due."""
    period = dt.timedelta(weeks=panel_for(panel).cadence.every_weeks)
    meetings = scheduled_meetings(session, panel, on_or_after=today)
    for index, meeting in enumerate(meetings):
        following = meetings[index + 1].date if index + 1 < len(meetings) else meeting.date + period
        if review_due < following:
            return meeting
    return None


def _list_review(session: Session, referral: Referral, meeting: Meeting, *, listed_by: str) -> MeetingCase:
    plan = session.scalar(select(SupportPlan).where(SupportPlan.referral_id == referral.id))
    row = session.scalar(select(MeetingCase).where(MeetingCase.referral_id == referral.id,
                                                   MeetingCase.meeting_id == meeting.id,
                                                   MeetingCase.section == CaseSection.REVIEW))
    if row is None and plan is not None and plan.listed_case_id is not None:
        parked = session.get(MeetingCase, plan.listed_case_id)
        row = parked if parked is not None and parked.meeting_id is None else None
    if row is None:
        row = _new_row(session, referral, meeting, CaseSection.REVIEW, ready_at=None, listed_by=listed_by)
        row.support_plan_id = plan.id if plan is not None else None
    if row.meeting_id != meeting.id:
        _place(session, row, meeting)
    if plan is not None:
        plan.listed_case_id = row.id
    return row


def _plans_to_list(session: Session, panel: str) -> Iterable[SupportPlan]:
    parked = select(MeetingCase.id).where(MeetingCase.meeting_id.is_(None))
    return session.scalars(select(SupportPlan).where(
        SupportPlan.panel == panel, SupportPlan.review_due.is_not(None),
        or_(SupportPlan.listed_case_id.is_(None), SupportPlan.listed_case_id.in_(parked)))
        .order_by(SupportPlan.review_due)).all()


def list_reviews(session: Session, panel: str, *, actor: Actor,
                 now: dt.datetime | None = None) -> list[MeetingCase]:
    """List each support plan whose review falls due before the meeting after an upcoming one (flushes)."""
    today = uk_date(now or utcnow())
    listed = []
    for plan in _plans_to_list(session, panel):
        assert plan.review_due is not None
        meeting = _review_meeting(session, panel, plan.review_due, today)
        referral = session.get(Referral, plan.referral_id)
        if meeting is None or referral is None:
            continue
        row = _list_review(session, referral, meeting, listed_by="system")
        _audit_listing(session, actor, row, explicit=False)
        listed.append(row)
    return listed


def set_review_due(session: Session, referral_id: uuid.UUID, review_due: dt.date | None, *, actor: Actor,
                   source: str = "manual", now: dt.datetime | None = None) -> SupportPlan:
    """Set (or clear) when a family's support plan is next reviewed, and list the review. Commits.

    A changed date withdraws a review listed for an upcoming meeting under the old date.
    """
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("No referral with this id")
    plan = session.scalar(select(SupportPlan).where(SupportPlan.referral_id == referral.id))
    if plan is None:
        plan = SupportPlan(referral_id=referral.id, panel=referral.panel, source=source)
        session.add(plan)
    if plan.review_due != review_due:
        _withdraw_upcoming_review(session, plan, uk_date(now or utcnow()))
    plan.review_due = review_due
    plan.source = source
    session.flush()
    record_event(session, actor, "support_plan.review_due", object_type="referral", object_id=referral.id,
                 detail={"review_due": review_due.isoformat() if review_due else None, "source": source})
    list_reviews(session, referral.panel, actor=actor, now=now)
    session.commit()
    return plan


def _withdraw_upcoming_review(session: Session, plan: SupportPlan, today: dt.date) -> None:
    if plan.listed_case_id is None:
        return
    row = session.get(MeetingCase, plan.listed_case_id)
    plan.listed_case_id = None
    if row is None:
        return
    meeting = session.get(Meeting, row.meeting_id) if row.meeting_id else None
    if meeting is None or (meeting.status == MeetingStatus.SCHEDULED and meeting.date >= today):
        session.delete(row)  # not yet discussed: the new date lists it again


# --- when meetings move or are cancelled ---------------------------------------------------------

def relate_to_deadline(session: Session, meeting: Meeting) -> list[MeetingCase]:
    """Re-judge lateness after a meeting's deadline changed; returns the cases now late."""
    now_late = []
    for row in meeting_rows(session, meeting.id):
        if row.section == CaseSection.REVIEW:
            continue
        late = misses_deadline(row.ready_at, meeting)
        if late and not row.late:
            now_late.append(row)
        row.late = late
    return now_late


def move_cases(session: Session, source: Meeting) -> tuple[Meeting | None, Sequence[MeetingCase]]:
    """Move a cancelled meeting's cases to the panel's next meeting, or unlist them if there is none."""
    target = meeting_after(session, source)
    rows = meeting_rows(session, source.id)
    for row in rows:
        if target is not None:
            _place(session, row, target)
        else:
            row.meeting_id = None
            row.late = False
    session.flush()
    return target, rows
