"""When packs go out, and the message each agency receives.

The circulation day is the profile's ``circulation_weekday`` before the meeting (Barnet:
the Monday before its Tuesday panel); when that day is a bank holiday, the working day
before it. Profiles that set no weekday circulate whenever the administrator sends.

The message holds only the panel's name, the meeting date, the agency's own name and a
link: no case reference, initials or anything else from a record.
"""

from __future__ import annotations

import datetime as dt

from renderers.context import long_date
from service.mail import Attachment, Message
from service.rules.dates import is_working_day
from service.rules.model import WEEKDAYS, Profile


def circulation_day(profile: Profile, meeting_date: dt.date) -> dt.date | None:
    """The working day the profile circulates packs for a meeting on ``meeting_date`` (None: any day)."""
    weekday = profile.timings.circulation_weekday
    if not weekday:
        return None
    wanted = WEEKDAYS.index(weekday)
    day = meeting_date - dt.timedelta(days=(meeting_date.weekday() - wanted - 1) % 7 + 1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def pack_message(*, to: str, panel_name: str, meeting_date: dt.date, agency_name: str, url: str | None,
                 expires: dt.datetime | None, attachment: Attachment | None = None) -> Message:
    """The message to one agency's secure mailbox: a link to its own pack (or the pack attached)."""
    when = long_date(meeting_date)
    subject = f"{panel_name}: agenda pack for {when}"
    lines = [f"The agenda pack for the {panel_name} meeting on {when} is ready for {agency_name}.", ""]
    if url is not None:
        until = f" until {long_date(expires.date())}" if expires else ""
        lines += [f"Open your agency's pack here (the link works{until}):", url, ""]
    else:
        lines += ["Your agency's pack is attached.", ""]
    lines += ["The pack is OFFICIAL-SENSITIVE. It is for your agency's panel representative only: please do",
              "not forward it, and delete any downloaded copy after the meeting unless your agency's records",
              "policy says otherwise.", "", "This message was sent by mapdocs for the panel administrator."]
    return Message(to=to, subject=subject, body="\n".join(lines),
                   attachments=(attachment,) if attachment else ())
