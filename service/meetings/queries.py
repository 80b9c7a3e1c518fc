"""Finding meetings: by id, the panel's upcoming ones, the one after a given meeting."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.errors import NotFound
from service.meetings.errors import MeetingNotFound
from service.models import Meeting, MeetingStatus
from service.panels import get_panel
from service.rules import Panel


def get_meeting(session: Session, meeting_id: uuid.UUID) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingNotFound()
    return meeting


def scheduled_meetings(session: Session, panel: str, *, on_or_after: dt.date | None = None) -> list[Meeting]:
    """The panel's meetings that still take place, in date order."""
    query = select(Meeting).where(Meeting.panel == panel, Meeting.status == MeetingStatus.SCHEDULED)
    if on_or_after is not None:
        query = query.where(Meeting.date >= on_or_after)
    return list(session.scalars(query.order_by(Meeting.date, Meeting.start_time)))


def meeting_after(session: Session, meeting: Meeting) -> Meeting | None:
    """The panel's next scheduled meeting after ``meeting`` (by date), if one exists."""
    return session.scalar(select(Meeting).where(Meeting.panel == meeting.panel,
                                                Meeting.status == MeetingStatus.SCHEDULED,
                                                Meeting.date > meeting.date, Meeting.id != meeting.id)
                          .order_by(Meeting.date, Meeting.start_time).limit(1))


def meeting_on(session: Session, panel: str, date: dt.date, *,
               besides: uuid.UUID | None = None) -> Meeting | None:
    query = select(Meeting).where(Meeting.panel == panel, Meeting.date == date,
                                  Meeting.status == MeetingStatus.SCHEDULED)
    if besides is not None:
        query = query.where(Meeting.id != besides)
    return session.scalar(query.limit(1))


def panel_for(slug: str) -> Panel:
    """The configured panel, or a 404 problem (the rules' own error is not an HTTP error)."""
    found = get_panel(slug)
    if found is None:
        raise NotFound("No panel with this slug is configured")
    return found
