"""Properties the engine must keep for every valid record, profile and triage state."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.rules import (
    CONFIDENCE_THRESHOLD,
    ConsentTimeline,
    EventKind,
    Route,
    Scope,
    Severity,
    TriageFacts,
    evaluate,
    load_catalogue,
)
from service.rules.catalogue import BUILTIN_DIR
from service.rules.context import HARM_PATH
from tests.rules.strategies import CONFIDENCE, MOMENTS, RECORD, SLUGS, TIMELINES, TRIAGE

CATALOGUE = load_catalogue([BUILTIN_DIR])
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SHARED = Path(
    os.environ.get("MAPDOCS_SHARED_DIR", Path(__file__).resolve().parents[2] / ".." / "shared")
)


@dataclass
class Case:
    """One generated evaluation input; tests may change fields before running it."""

    slug: str
    record: dict[str, Any]
    triage: TriageFacts
    confidence: dict[str, float]
    timeline: ConsentTimeline | None
    uploaded_at: dt.datetime


CASES = st.builds(Case, st.sampled_from(SLUGS), RECORD, TRIAGE, CONFIDENCE, TIMELINES, MOMENTS)


def run(case: Case) -> Any:
    return evaluate(
        case.record,
        profile=CATALOGUE.profile_for(case.slug),
        panel=CATALOGUE.panel(case.slug),
        triage=case.triage,
        confidence=case.confidence,
        consent_timeline=case.timeline,
        uploaded_at=case.uploaded_at,
    )


@SETTINGS
@given(CASES)
def test_significant_harm_always_refers_to_social_care(case: Case) -> None:
    case.record["safeguarding"]["significant_harm_concern"] = True
    evaluation = run(case)
    assert evaluation.route is Route.REFER_TO_SOCIAL_CARE_NOW
    assert evaluation.findings[0].rule == "safeguarding.significant_harm"


@SETTINGS
@given(CASES)
def test_unsure_harm_is_never_ready_without_confirmation(case: Case) -> None:
    harm = case.record["safeguarding"]["significant_harm_concern"]
    unsure = harm is None or case.confidence.get(HARM_PATH, 0.0) < CONFIDENCE_THRESHOLD
    if not unsure or harm is True or case.triage.harm_confirmed is not None:
        case.triage = TriageFacts(**{**case.triage.__dict__, "harm_confirmed": None})
        case.record["safeguarding"]["significant_harm_concern"] = None
    evaluation = run(case)
    assert evaluation.route is not Route.READY_FOR_PANEL
    assert evaluation.route.precedence <= Route.NEEDS_REVIEW.precedence


@SETTINGS
@given(CASES)
def test_no_positive_consent_is_never_ready_without_a_chair_override(case: Case) -> None:
    assert CATALOGUE.profile_for(case.slug).consent.information_sharing_required
    if case.record["consent"]["information_sharing"] is True:
        case.record["consent"]["information_sharing"] = None
    triage = case.triage
    case.triage = TriageFacts(
        **{
            **triage.__dict__,
            "chair_override": None,
            "consent_confirmed": None if triage.consent_confirmed else triage.consent_confirmed,
        }
    )
    if case.timeline is not None:
        case.timeline = ConsentTimeline(
            tuple(
                e
                for e in case.timeline.events
                if not (e.kind is EventKind.GIVEN and Scope.INFORMATION_SHARING in e.scopes)
            )
        )
    evaluation = run(case)
    assert evaluation.route is not Route.READY_FOR_PANEL


@SETTINGS
@given(CASES)
def test_findings_are_consistent_and_name_no_person(case: Case) -> None:
    evaluation = run(case)
    routes = [f.route for f in evaluation.findings if f.route is not None]
    assert evaluation.route is (
        min(routes, key=lambda r: r.precedence) if routes else Route.READY_FOR_PANEL
    )
    for finding in evaluation.findings:
        assert (finding.route is not None) == (
            finding.severity is Severity.BLOCKER and finding.route is not None
        )
        assert "Zq" not in finding.message
        json.dumps(finding.as_dict())


@pytest.mark.corpus
@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORD)
def test_generated_records_match_the_record_contract(record: dict[str, Any]) -> None:
    schema_path = SHARED / "spec" / "referral-record.schema.json"
    if not schema_path.exists():
        pytest.skip("shared record schema not found (set MAPDOCS_SHARED_DIR)")
    jsonschema.validate(record, json.loads(schema_path.read_text(encoding="utf-8")))
