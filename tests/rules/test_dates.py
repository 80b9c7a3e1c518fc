from __future__ import annotations

import datetime as dt

import pytest

from service.rules.dates import age_in_years, meetings_from, next_meeting, subtract_days
from service.rules.model import Cadence

FORTNIGHTLY = Cadence("thursday", 2, dt.date(2026, 1, 8), dt.time(13, 30), 120)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (dt.date(2014, 3, 3), dt.date(2026, 3, 2), 11),
        (dt.date(2014, 3, 3), dt.date(2026, 3, 3), 12),
        (dt.date(2012, 2, 29), dt.date(2026, 2, 28), 13),
        (dt.date(2012, 2, 29), dt.date(2026, 3, 1), 14),
    ],
)
def test_age_in_years(born: dt.date, on: dt.date, age: int) -> None:
    assert age_in_years(born, on) == age


@pytest.mark.parametrize(
    ("start", "meeting"),
    [
        (dt.date(2026, 1, 8), dt.date(2026, 1, 8)),
        (dt.date(2026, 1, 9), dt.date(2026, 1, 22)),
        (dt.date(2025, 12, 26), dt.date(2026, 1, 8)),
        (dt.date(2025, 12, 24), dt.date(2025, 12, 25)),
        (dt.date(2024, 3, 4), dt.date(2024, 3, 7)),
    ],
)
def test_meetings_follow_the_cadence_both_ways(start: dt.date, meeting: dt.date) -> None:
    found = meetings_from(FORTNIGHTLY, start)
    assert found == meeting
    assert found.weekday() == 3 and (found - FORTNIGHTLY.first_meeting).days % 14 == 0


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    # Tuesday 6 January 2026 minus 5 working days: 1 January is a bank holiday
    assert subtract_days(dt.date(2026, 1, 6), 5, working=True) == dt.date(2025, 12, 29)
    assert subtract_days(dt.date(2026, 1, 6), 5, working=False) == dt.date(2026, 1, 1)


def test_next_meeting_respects_the_papers_deadline() -> None:
    assert next_meeting(FORTNIGHTLY, dt.date(2026, 3, 2)) == dt.date(2026, 3, 5)
    assert next_meeting(
        FORTNIGHTLY, dt.date(2026, 3, 2), papers_deadline_days=5, working=False
    ) == dt.date(2026, 3, 19)
