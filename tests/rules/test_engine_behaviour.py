"""Engine behaviours that need more than a one-field tweak: clocks, timelines, chair decisions, look-back."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from service.rules import (
    Basis,
    ConsentEvent,
    ConsentTimeline,
    EventKind,
    ExistingAssessment,
    Route,
    Scope,
    Severity,
    SocialCareReferral,
    TriageFacts,
)
from service.rules.errors import RulesError
from tests.rules.cases_rules import OVERRIDE, tweak
from tests.rules.records import FULL_CONFIDENCE, UPLOADED, Run, clean_record


def test_harm_is_shown_first_with_the_profile_clock(run: Run) -> None:
    record = tweak(
        "wolverhampton-mast",
        ("safeguarding.significant_harm_concern", True),
        ("consent.information_sharing", None),
        ("needs", []),
    )
    evaluation = run("wolverhampton-mast", record)
    first = evaluation.findings[0]
    assert first.rule == "safeguarding.significant_harm"
    assert first.data["clock_hours"] == 24
    assert first.data["due_at"] == (UPLOADED + dt.timedelta(hours=24)).isoformat()
    assert "24 hours" in first.message


def test_harm_clock_overdue_until_referral_recorded(run: Run) -> None:
    record = tweak("generic", ("safeguarding.significant_harm_concern", True))
    later = UPLOADED + dt.timedelta(hours=30)
    overdue = run("generic", record, evaluated_at=later).findings[0]
    assert overdue.data["overdue"] is True and "overdue" in overdue.message
    made = TriageFacts(
        social_care_referral=SocialCareReferral(UPLOADED + dt.timedelta(hours=2), "user-3")
    )
    done = run("generic", record, triage=made, evaluated_at=later)
    assert done.route is Route.REFER_TO_SOCIAL_CARE_NOW
    assert done.findings[0].data["overdue"] is False


def test_chair_override_gives_safeguarding_basis(run: Run) -> None:
    record = tweak("hackney-mat", ("consent.information_sharing", False))
    evaluation = run(
        "hackney-mat", record, triage=TriageFacts(welfare_concern=True, chair_override=OVERRIDE)
    )
    assert evaluation.route is Route.READY_FOR_PANEL
    assert evaluation.basis is Basis.SAFEGUARDING
    refused = next(f for f in evaluation.findings if f.rule == "consent.refused")
    assert refused.severity is Severity.WARNING and refused.route is None


def test_withdrawal_after_upload_blocks_at_evaluation_time(run: Run) -> None:
    withdrawal = ConsentEvent(
        EventKind.WITHDRAWN,
        frozenset({Scope.INFORMATION_SHARING}),
        dt.date(2026, 3, 10),
        by="parent_carer",
        how_recorded="phone call to triage",
        source="user-3",
    )
    timeline = ConsentTimeline((withdrawal,))
    before = run("generic", consent_timeline=timeline)
    assert before.route is Route.READY_FOR_PANEL
    after = run("generic", consent_timeline=timeline, evaluated_at=dt.datetime(2026, 3, 11, 9, 0))
    assert after.route is Route.CONSENT_MISSING
    assert "consent.withdrawn" in after.rule_ids


def test_existing_assessment_by_postcode_names_the_lead_professional_in_data_only(run: Run) -> None:
    record = tweak("wolverhampton-mast", ("children.0.date_of_birth", "2020-06-15"))
    other = ExistingAssessment(
        "ref-9",
        "Test Child Alpha",
        None,
        "zz11zz",
        dt.date(2025, 10, 1),
        "Lead Professional Epsilon",
        "MAST",
    )
    evaluation = run("wolverhampton-mast", record, existing=[other])
    assert evaluation.route is Route.JOIN_EXISTING_CAF
    finding = next(f for f in evaluation.findings if f.rule == "existing.assessment")
    assert finding.data["lead_professional"] == "Lead Professional Epsilon"
    assert "Epsilon" not in finding.message and "Alpha" not in finding.message


def test_existing_assessment_outside_look_back_is_ignored(run: Run) -> None:
    other = ExistingAssessment(
        "ref-9", "Test Child Alpha", dt.date(2020, 6, 15), None, dt.date(2025, 6, 1)
    )
    assert run("generic", existing=[other]).route is Route.READY_FOR_PANEL


def test_existing_assessment_needs_matching_dob(run: Run) -> None:
    other = ExistingAssessment(
        "ref-9", "Test Child Alpha", dt.date(2019, 1, 1), "ZZ1 1ZZ", dt.date(2026, 2, 1)
    )
    assert run("generic", existing=[other]).route is Route.READY_FOR_PANEL


def test_age_is_checked_at_the_next_meeting(run: Run) -> None:
    # turns 12 on 2026-03-03; the next Hackney meeting after a Monday 2 March upload is Wednesday 4 March
    record = tweak("hackney-mat", ("children.0.date_of_birth", "2014-03-03"))
    evaluation = run("hackney-mat", record)
    assert evaluation.route is Route.NOT_ELIGIBLE
    in_time = run("hackney-mat", record, next_meeting=dt.date(2026, 3, 2))
    assert in_time.route is Route.READY_FOR_PANEL


def test_papers_after_deadline_warn(run: Run) -> None:
    evaluation = run("barnet-map", next_meeting=dt.date(2026, 3, 3))
    listing = next(f for f in evaluation.findings if f.rule == "meeting.listing")
    assert listing.severity is Severity.WARNING
    assert listing.data["papers_deadline"] == "2026-02-24"


def test_messages_name_no_person(run: Run) -> None:
    record = tweak(
        "barnet-map",
        ("safeguarding.significant_harm_concern", None),
        ("consent.given_by", "young_person"),
        ("consent.excluded_agencies", ["Test Parent Beta's employer"]),
        ("child_views", None),
        ("manager_signoff.date", None),
    )
    evaluation = run(
        "luton-afsp",
        tweak(
            "luton-afsp",
            *[
                (p, v)
                for p, v in [
                    ("consent.given_by", "young_person"),
                    ("consent.excluded_agencies", ["Test Parent Beta's employer"]),
                    ("child_views", None),
                    ("manager_signoff.date", None),
                ]
            ],
        ),
    )
    for ev in (evaluation, run("barnet-map", record)):
        assert ev.findings
        for finding in ev.findings:
            for word in ("Alpha", "Beta", "Gamma", "Delta", "employer"):
                assert word not in finding.message


def test_mismatched_panel_and_profile_is_an_error(run: Run, catalogue: Any) -> None:
    from service.rules import evaluate

    with pytest.raises(RulesError):
        evaluate(
            clean_record(),
            profile=catalogue.profiles["generic"],
            panel=catalogue.panel("barnet-map"),
            uploaded_at=UPLOADED,
        )


def test_evaluation_as_dict_is_json_shaped(run: Run) -> None:
    data = run("generic", tweak("generic", ("needs", []))).as_dict()
    assert data["route"] == "needs_information"
    assert {"rule", "severity", "message", "path", "route", "data"} <= set(data["findings"][0])


def test_consent_from_a_giver_the_profile_does_not_accept(catalogue: Any) -> None:
    from service.rules import evaluate

    profile = catalogue.profiles["generic"]
    strict = dataclasses.replace(
        profile, consent=dataclasses.replace(profile.consent, allowed_givers=("parent_carer",))
    )
    record = tweak(
        "generic", ("consent.given_by", "young_person"), ("children.0.date_of_birth", "2010-01-01")
    )
    evaluation = evaluate(
        record,
        profile=strict,
        panel=catalogue.panel("generic"),
        confidence=FULL_CONFIDENCE,
        uploaded_at=UPLOADED,
    )
    assert evaluation.route is Route.CONSENT_MISSING
    assert "consent.given_by_not_allowed" in evaluation.rule_ids


def test_officer_recorded_consent_not_yet_in_force_is_not_recorded(run: Run) -> None:
    future = ConsentEvent(
        EventKind.GIVEN,
        frozenset({Scope.INFORMATION_SHARING}),
        dt.date(2026, 3, 20),
        by="parent_carer",
        source="user-3",
    )
    record = tweak("generic", ("consent.information_sharing", None))
    evaluation = run("generic", record, consent_timeline=ConsentTimeline((future,)))
    assert evaluation.route is Route.CONSENT_MISSING
    assert "consent.not_recorded" in evaluation.rule_ids
    later = run(
        "generic",
        record,
        consent_timeline=ConsentTimeline((future,)),
        evaluated_at=dt.datetime(2026, 3, 21, 9, 0),
    )
    assert later.route is Route.READY_FOR_PANEL


def test_meeting_listing_is_reported(run: Run) -> None:
    listing = next(f for f in run("luton-afsp").findings if f.rule == "meeting.listing")
    # Luton: fortnightly Thursdays from 2026-01-08, papers 5 calendar days before: 5 March is too close
    assert listing.data["meeting"] == "2026-03-19"
