"""Dates the rules need: ages, meeting dates from a cadence, English working days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from service.rules.model import Cadence


def age_in_years(born: dt.date, on: dt.date) -> int:
    """Completed years; a 29 February birthday counts from 1 March in other years."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def subtract_days(day: dt.date, days: int, *, working: bool) -> dt.date:
    """``days`` calendar days before ``day``, or ``days`` English working days before it."""
    if not working:
        return day - dt.timedelta(days=days)
    while days > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def meetings_from(cadence: Cadence, start: dt.date) -> dt.date:
    """The first meeting of the cadence on or after ``start`` (the anchor date extends both ways)."""
    period = 7 * cadence.every_weeks
    offset = (start - cadence.first_meeting).days % period
    return start + dt.timedelta(days=(period - offset) % period)


def next_meeting(
    cadence: Cadence, received: dt.date, *, papers_deadline_days: int | None = None, working: bool = True
) -> dt.date:
    """The first meeting whose papers deadline has not passed when the referral is received."""
    meeting = meetings_from(cadence, received)
    if papers_deadline_days:
        while subtract_days(meeting, papers_deadline_days, working=working) < received:
            meeting = meetings_from(cadence, meeting + dt.timedelta(days=1))
    return meeting
