from __future__ import annotations

import datetime as dt

import pytest

from service.rules import ConsentEvent, ConsentTimeline, EventKind, Scope

INFO = frozenset({Scope.INFORMATION_SHARING})


def record(**consent: object) -> dict[str, object]:
    base: dict[str, object] = {
        "information_sharing": True,
        "panel_discussion": None,
        "given_by": "parent_carer",
        "date": "2026-02-01",
        "excluded_agencies": ["Police"],
    }
    return {"consent": base | consent}


def test_form_consent_is_in_force_from_its_date() -> None:
    timeline = ConsentTimeline.from_record(record())
    assert timeline.consent_in_force(dt.date(2026, 1, 31)).information_sharing is None
    state = timeline.consent_in_force(dt.datetime(2026, 2, 1, 9))
    assert state.information_sharing is True
    assert state.panel_discussion is None
    assert state.excluded_agencies == ("Police",)


def test_withdrawal_ends_consent_and_a_new_consent_restores_it() -> None:
    withdrawn = ConsentEvent(
        EventKind.WITHDRAWN,
        INFO,
        dt.date(2026, 3, 1),
        by="parent_carer",
        how_recorded="letter",
        source="user-1",
    )
    again = ConsentEvent(
        EventKind.GIVEN,
        INFO,
        dt.date(2026, 4, 1),
        by="parent_carer",
        excluded_agencies=("Housing",),
        source="document:7",
    )
    timeline = ConsentTimeline.from_record(record()).with_events([again, withdrawn])
    assert timeline.consent_in_force(dt.date(2026, 2, 15)).information_sharing is True
    during = timeline.consent_in_force(dt.date(2026, 3, 15))
    assert during.information_sharing is False and during[Scope.INFORMATION_SHARING].withdrawn
    after = timeline.consent_in_force(dt.date(2026, 4, 2))
    assert after.information_sharing is True
    assert after.excluded_agencies == ("Police", "Housing")


def test_officer_answer_replaces_the_form_box() -> None:
    timeline = ConsentTimeline.from_record(record(information_sharing=None), information_sharing=True)
    assert timeline.confirmed(Scope.INFORMATION_SHARING)
    assert timeline.consent_in_force(dt.date(2026, 2, 2)).information_sharing is True


def test_exclusions_bind_without_a_consent_answer() -> None:
    timeline = ConsentTimeline.from_record(record(information_sharing=None))
    state = timeline.consent_in_force(dt.date(2026, 2, 2))
    assert state.information_sharing is None
    assert state.excluded_agencies == ("Police",)


def test_withdrawal_needs_a_date() -> None:
    with pytest.raises(ValueError, match="when"):
        ConsentEvent(EventKind.WITHDRAWN, INFO, None)
