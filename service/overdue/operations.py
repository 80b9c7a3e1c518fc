"""Which post-panel deadlines have passed: four kinds, each from the state its own action sets.

- ``decision_not_notified``: a current decision not notified within 48 hours of being recorded;
- ``letter_not_sent``: the family's letter neither e-mailed nor posted within the panel's
  ``decisions_circulated_working_days`` (4 English working days where the profile sets none),
  counted from the day (UK time) the decision was recorded;
- ``review_past_due``: a support plan whose review date has passed (recording the review's
  decision moves the date on);
- ``social_care_not_confirmed``: a referral whose significant-harm clock ran out with no
  social-care referral recorded (the clock ``service.referrals`` keeps).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.db import utcnow
from service.meetings.listing import uk_date
from service.models import Decision, MeetingCase, SupportPlan
from service.panels import get_panel, get_profile
from service.referrals.operations import overdue_social_care
from service.rules.dates import is_working_day

NOTIFY_WITHIN = dt.timedelta(hours=48)
#: letters go out within this many working days where the panel's profile sets no figure
LETTER_WORKING_DAYS = 4


class OverdueKind(enum.StrEnum):
    DECISION_NOT_NOTIFIED = "decision_not_notified"
    LETTER_NOT_SENT = "letter_not_sent"
    REVIEW_PAST_DUE = "review_past_due"
    SOCIAL_CARE_NOT_CONFIRMED = "social_care_not_confirmed"


@dataclass(frozen=True)
class OverdueItem:
    kind: OverdueKind
    panel: str
    referral_id: uuid.UUID
    #: when it fell due: a datetime for clocks in hours, a date for day counts
    due: dt.datetime | dt.date
    case_id: uuid.UUID | None = None
    case_ref: str | None = None
    decision_id: uuid.UUID | None = None

    def as_line(self) -> dict[str, Any]:
        """The exact ``mapdocs overdue`` line (ids, reference and dates only)."""
        return {"kind": str(self.kind), "panel": self.panel, "referral_id": str(self.referral_id),
                "case_id": str(self.case_id) if self.case_id else None, "case_ref": self.case_ref,
                "decision_id": str(self.decision_id) if self.decision_id else None,
                "due": self.due.isoformat()}


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The ``days``-th English working day after ``day``."""
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def letter_working_days(panel: str) -> int:
    found = get_panel(panel)
    configured = get_profile(found).timings.decisions_circulated_working_days if found else None
    return configured or LETTER_WORKING_DAYS


def _decision_item(kind: OverdueKind, decision: Decision, case_ref: str,
                   due: dt.datetime | dt.date) -> OverdueItem:
    return OverdueItem(kind, panel=decision.panel, referral_id=decision.referral_id, due=due,
                       case_id=decision.case_id, case_ref=case_ref, decision_id=decision.id)


def _decision_items(session: Session, now: dt.datetime, panel: str | None) -> list[OverdueItem]:
    query = (select(Decision, MeetingCase.case_ref).join(MeetingCase, MeetingCase.id == Decision.case_id)
             .where(Decision.superseded_at.is_(None), Decision.letter_sent_at.is_(None)))
    if panel is not None:
        query = query.where(Decision.panel == panel)
    today = uk_date(now)
    items = []
    for decision, case_ref in session.execute(query.order_by(Decision.recorded_at)):
        notify_by = decision.recorded_at + NOTIFY_WITHIN
        if decision.notified_at is None and notify_by < now:
            items.append(_decision_item(OverdueKind.DECISION_NOT_NOTIFIED, decision, case_ref, notify_by))
        letter_by = add_working_days(uk_date(decision.recorded_at), letter_working_days(decision.panel))
        if letter_by < today:
            items.append(_decision_item(OverdueKind.LETTER_NOT_SENT, decision, case_ref, letter_by))
    return items


def _latest_case(session: Session, referral_id: uuid.UUID) -> MeetingCase | None:
    return session.scalar(select(MeetingCase).where(MeetingCase.referral_id == referral_id)
                          .order_by(MeetingCase.listed_at.desc()).limit(1))


def _review_items(session: Session, now: dt.datetime, panel: str | None) -> list[OverdueItem]:
    query = select(SupportPlan).where(SupportPlan.review_due.is_not(None),
                                      SupportPlan.review_due < uk_date(now))
    if panel is not None:
        query = query.where(SupportPlan.panel == panel)
    items = []
    for plan in session.scalars(query.order_by(SupportPlan.review_due)):
        assert plan.review_due is not None  # filtered above
        case = _latest_case(session, plan.referral_id)
        items.append(OverdueItem(OverdueKind.REVIEW_PAST_DUE, panel=plan.panel, referral_id=plan.referral_id,
                                 due=plan.review_due, case_id=case.id if case else None,
                                 case_ref=case.case_ref if case else None))
    return items


def _social_care_items(session: Session, now: dt.datetime, panel: str | None) -> list[OverdueItem]:
    items = []
    for referral in overdue_social_care(session, now=now, panel=panel):
        assert referral.harm_due_at is not None  # filtered by the query
        case = _latest_case(session, referral.id)
        items.append(OverdueItem(OverdueKind.SOCIAL_CARE_NOT_CONFIRMED, panel=referral.panel,
                                 referral_id=referral.id, due=referral.harm_due_at,
                                 case_id=case.id if case else None, case_ref=case.case_ref if case else None))
    return items


def overdue_items(session: Session, *, now: dt.datetime | None = None,
                  panel: str | None = None) -> list[OverdueItem]:
    """Every overdue item, grouped by kind (the order above), oldest first within a kind."""
    moment = now or utcnow()
    decided = _decision_items(session, moment, panel)
    return ([i for i in decided if i.kind is OverdueKind.DECISION_NOT_NOTIFIED]
            + [i for i in decided if i.kind is OverdueKind.LETTER_NOT_SENT]
            + _review_items(session, moment, panel) + _social_care_items(session, moment, panel))
