"""Meeting calendar arithmetic: cadences, papers deadlines across bank holidays, slots, case references."""

from __future__ import annotations

import datetime as dt

import pytest

from service.meetings.scheduling import (
    add_minutes,
    cadence_dates,
    case_prefix,
    format_case_ref,
    papers_deadline,
    parse_time,
    slot_minutes,
)
from service.panels import catalogue

D = dt.date.fromisoformat


def test_barnet_meets_every_tuesday() -> None:
    dates = cadence_dates(catalogue().panel("barnet-map"), D("2026-03-04"), 4)
    assert dates == [D("2026-03-10"), D("2026-03-17"), D("2026-03-24"), D("2026-03-31")]
    assert {day.weekday() for day in dates} == {1}


def test_hackney_and_luton_meet_fortnightly_on_their_cadence() -> None:
    hackney = cadence_dates(catalogue().panel("hackney-mat"), D("2026-03-02"), 3)
    assert [b - a for a, b in zip(hackney, hackney[1:], strict=False)] == [dt.timedelta(weeks=2)] * 2
    assert hackney[0] >= D("2026-03-02") and hackney[0] - dt.timedelta(weeks=2) < D("2026-03-02")
    assert (hackney[0] - D("2026-01-07")).days % 14 == 0  # anchored on the panel's first meeting
    luton = cadence_dates(catalogue().panel("luton-afsp"), D("2026-01-08"), 2)
    assert luton == [D("2026-01-08"), D("2026-01-22")]


@pytest.mark.parametrize(("meeting", "deadline"), [
    ("2026-03-17", "2026-03-10"),  # an ordinary week: five working days back is the Tuesday before
    ("2026-04-07", "2026-03-27"),  # Good Friday 3 April and Easter Monday 6 April are skipped
    ("2026-05-26", "2026-05-18"),  # the late May bank holiday (25 May) is skipped
])
def test_barnet_papers_deadline_counts_working_days(meeting: str, deadline: str) -> None:
    profile = catalogue().profile_for("barnet-map")
    assert papers_deadline(profile, D(meeting)) == D(deadline)


def test_luton_counts_calendar_days_and_a_profile_without_a_deadline_takes_the_day_before() -> None:
    panels = catalogue()
    assert papers_deadline(panels.profile_for("luton-afsp"), D("2026-04-09")) == D("2026-04-04")
    assert papers_deadline(panels.profile_for("hackney-mat"), D("2026-04-08")) == D("2026-04-07")


def test_slots_and_times() -> None:
    assert slot_minutes(catalogue().panel("barnet-map")) == 15  # the panel names none: the default
    assert slot_minutes(catalogue().panel("luton-afsp")) == 15
    assert add_minutes("10:00", 45) == "10:45" and add_minutes("13:30", 90) == "15:00"
    assert parse_time("9:30") == "09:30"
    with pytest.raises(ValueError, match="HH:MM"):
        parse_time("25:00")


def test_case_references_carry_the_panel_prefix_year_and_sequence() -> None:
    assert format_case_ref("barnet-map", 2026, 42) == "BAR-2026-0042"
    assert [case_prefix(s) for s in ("hackney-mat", "luton-afsp", "wolverhampton-mast", "generic")] == [
        "HAC", "LUT", "WOL", "GEN"]
    assert case_prefix("kent-3-panel") == "KEN"
