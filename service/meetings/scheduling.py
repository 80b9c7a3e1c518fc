"""Dates and times of meetings: cadence, papers deadlines, slots, case-reference prefixes.

Pure functions over the rules' ``Panel`` and ``Profile`` values (no database), so the
calendar arithmetic is tested on its own. Working days are England and Wales' (the
rules' ``dates`` module, bank holidays from ``holidays``).
"""

from __future__ import annotations

import datetime as dt
import re

from service.rules import Panel, Profile
from service.rules.dates import meetings_from, subtract_days

#: used when a panel names no slot length (the issue's example: 15 minutes)
DEFAULT_SLOT_MINUTES = 15
#: prefix per shipped panel; other panels take the first three letters of their slug
PREFIXES = {
    "hackney-mat": "HAC",
    "barnet-map": "BAR",
    "luton-afsp": "LUT",
    "wolverhampton-mast": "WOL",
    "generic": "GEN",
}
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def papers_deadline(profile: Profile, meeting_date: dt.date) -> dt.date:
    """The last day papers may arrive for a meeting on ``meeting_date`` (inclusive).

    ``papers_deadline_days`` before the meeting, counted in working days (weekends and
    bank holidays skipped) when the profile says so. A profile without a deadline takes
    the day before the meeting, so a referral ready on the morning of the panel waits.
    """
    days = profile.timings.papers_deadline_days
    if not days:
        return meeting_date - dt.timedelta(days=1)
    return subtract_days(meeting_date, days, working=profile.timings.papers_deadline_working_days)


def cadence_dates(panel: Panel, start: dt.date, count: int) -> list[dt.date]:
    """The next ``count`` meeting dates of the panel's cadence on or after ``start``."""
    period = dt.timedelta(weeks=panel.cadence.every_weeks)
    first = meetings_from(panel.cadence, start)
    return [first + period * i for i in range(count)]


def slot_minutes(panel: Panel) -> int:
    return panel.slot_minutes or DEFAULT_SLOT_MINUTES


def parse_time(text: str) -> str:
    """``"9:30"`` or ``"09:30"`` → ``"09:30"``; anything else raises ValueError."""
    value = text.strip()
    if len(value) == 4:
        value = "0" + value
    if not _TIME.fullmatch(value):
        raise ValueError("start_time must be HH:MM (24-hour)")
    return value


def format_time(value: dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def add_minutes(start: str, minutes: int) -> str:
    """``"10:00"`` + 75 → ``"11:15"`` (wraps after midnight; panels do not run that late)."""
    hours, mins = (int(part) for part in start.split(":"))
    total = (hours * 60 + mins + minutes) % (24 * 60)
    return f"{total // 60:02d}:{total % 60:02d}"


def case_prefix(panel_slug: str) -> str:
    if panel_slug in PREFIXES:
        return PREFIXES[panel_slug]
    letters = re.sub(r"[^A-Za-z]", "", panel_slug).upper()
    return (letters[:3] or "PNL").ljust(3, "X")


def format_case_ref(panel_slug: str, year: int, sequence: int) -> str:
    """``BAR-2026-0042``; past 9999 cases a year the number simply grows (``-10000``)."""
    return f"{case_prefix(panel_slug)}-{year}-{sequence:04d}"
