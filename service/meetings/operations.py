"""Meeting actions behind the API and CLI: create, generate from the cadence, move, cancel.

Venue, start time, duration and membership come from the panel unless given; the
papers deadline from the profile. Each action commits with its audit event (ids and
dates only). Creating meetings also lists ready referrals and due reviews waiting for one.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.meetings import listing
from service.meetings.errors import InvalidMeeting, MeetingCancelled, MeetingClash
from service.meetings.queries import get_meeting, meeting_on, panel_for
from service.meetings.scheduling import cadence_dates, format_time, papers_deadline, parse_time
from service.models import Meeting, MeetingStatus
from service.panels import catalogue
from service.rules import Panel

__all__ = ["cancel_meeting", "create_meeting", "generate_meetings", "get_meeting", "list_meetings",
           "move_meeting"]

MAX_GENERATE = 52


def _user_id(actor: Actor) -> uuid.UUID | None:
    return actor.id if actor.kind == "user" else None


def _checked_time(value: str | None, default: str) -> str:
    if value is None:
        return default
    try:
        return parse_time(value)
    except ValueError as exc:
        raise InvalidMeeting(str(exc), errors={"start_time": [str(exc)]}) from None


def _checked_duration(value: int | None, default: int) -> int:
    if value is None:
        return default
    if not 15 <= value <= 8 * 60:
        raise InvalidMeeting("duration_minutes must be between 15 and 480",
                             errors={"duration_minutes": ["Must be between 15 and 480."]})
    return value


def _new_meeting(session: Session, panel: Panel, date: dt.date, *, actor: Actor,
                 start_time: str | None = None, venue: str | None = None,
                 duration_minutes: int | None = None) -> Meeting:
    if meeting_on(session, panel.slug, date) is not None:
        raise MeetingClash()
    profile = catalogue().profile_for(panel)
    meeting = Meeting(
        panel=panel.slug, date=date,
        start_time=_checked_time(start_time, format_time(panel.cadence.start_time)),
        duration_minutes=_checked_duration(duration_minutes, panel.cadence.duration_minutes),
        venue=(venue or panel.venue).strip() or panel.venue, papers_deadline=papers_deadline(profile, date),
        status=MeetingStatus.SCHEDULED, members=[agency.slug for agency in panel.agencies],
        created_by=_user_id(actor), created_at=utcnow())
    session.add(meeting)
    session.flush()
    record_event(session, actor, "meeting.create", object_type="meeting", object_id=meeting.id,
                 detail={"panel": panel.slug, "date": date.isoformat(),
                         "papers_deadline": meeting.papers_deadline.isoformat()})
    return meeting


def create_meeting(session: Session, panel_slug: str, date: dt.date, *, actor: Actor,
                   start_time: str | None = None, venue: str | None = None,
                   duration_minutes: int | None = None,
                   now: dt.datetime | None = None) -> Meeting:
    """One meeting on ``date`` (any day: a council may meet off-cadence); lists what waits for it."""
    meeting = _new_meeting(session, panel_for(panel_slug), date, actor=actor, start_time=start_time,
                           venue=venue, duration_minutes=duration_minutes)
    listing.list_ready(session, panel_slug, actor=actor, now=now)  # commits
    return meeting


def generate_meetings(session: Session, panel_slug: str, *, count: int, start: dt.date, actor: Actor,
                      now: dt.datetime | None = None) -> list[Meeting]:
    """The next ``count`` meetings of the panel's cadence from ``start``; dates already held are skipped."""
    if not 1 <= count <= MAX_GENERATE:
        raise InvalidMeeting(f"count must be between 1 and {MAX_GENERATE}",
                             errors={"count": [f"Must be between 1 and {MAX_GENERATE}."]})
    panel = panel_for(panel_slug)
    dates = [day for day in cadence_dates(panel, start, count)
             if meeting_on(session, panel.slug, day) is None]
    created = [_new_meeting(session, panel, day, actor=actor) for day in dates]
    listing.list_ready(session, panel_slug, actor=actor, now=now)  # commits
    return created


def list_meetings(session: Session, panel_slug: str, *, include_cancelled: bool = False,
                  on_or_after: dt.date | None = None) -> list[Meeting]:
    panel_for(panel_slug)
    query = select(Meeting).where(Meeting.panel == panel_slug)
    if not include_cancelled:
        query = query.where(Meeting.status == MeetingStatus.SCHEDULED)
    if on_or_after is not None:
        query = query.where(Meeting.date >= on_or_after)
    return list(session.scalars(query.order_by(Meeting.date, Meeting.start_time)))


def move_meeting(session: Session, meeting_id: uuid.UUID, *, actor: Actor, date: dt.date | None = None,
                 start_time: str | None = None, venue: str | None = None,
                 duration_minutes: int | None = None) -> Meeting:
    """Change date, time, venue or length; listed cases stay with the meeting and lateness is re-judged."""
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingCancelled()
    changed: dict[str, str] = {}
    if date is not None and date != meeting.date:
        if meeting_on(session, meeting.panel, date, besides=meeting.id) is not None:
            raise MeetingClash()
        changed["date"] = date.isoformat()
        meeting.date = date
        meeting.papers_deadline = papers_deadline(catalogue().profile_for(meeting.panel), date)
    if start_time is not None:
        meeting.start_time = _checked_time(start_time, meeting.start_time)
        changed["start_time"] = meeting.start_time
    if venue is not None and venue.strip():
        meeting.venue = venue.strip()
        changed["venue"] = "changed"  # free text stays out of the audit log
    if duration_minutes is not None:
        meeting.duration_minutes = _checked_duration(duration_minutes, meeting.duration_minutes)
        changed["duration_minutes"] = str(meeting.duration_minutes)
    session.flush()
    now_late = listing.relate_to_deadline(session, meeting)
    record_event(session, actor, "meeting.move", object_type="meeting", object_id=meeting.id,
                 detail={"changed": changed, "papers_deadline": meeting.papers_deadline.isoformat(),
                         "now_late": [str(row.id) for row in now_late]})
    session.commit()
    return meeting


def cancel_meeting(session: Session, meeting_id: uuid.UUID, *, actor: Actor,
                   reason: str | None = None) -> Meeting:
    """Cancel; listed cases move to the panel's next meeting (or are unlisted until one exists)."""
    meeting = get_meeting(session, meeting_id)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise MeetingCancelled("This meeting is already cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = utcnow()
    session.flush()
    target, rows = listing.move_cases(session, meeting)
    record_event(session, actor, "meeting.cancel", object_type="meeting", object_id=meeting.id,
                 detail={"moved_to": str(target.id) if target else None, "cases": [str(r.id) for r in rows],
                         "with_reason": bool(reason)})
    session.commit()
    return meeting
