"""Table-driven: one row per rule (record tweak → route and rule ids), then one table per profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from service.rules import RULES, Basis, ExistingAssessment, Route, Severity, TriageFacts
from tests.rules.cases_profiles import PROFILE_CASES
from tests.rules.cases_rules import RULE_CASES, low, tweak
from tests.rules.records import SLUGS, Run


@pytest.mark.parametrize("slug", SLUGS)
def test_clean_record_is_ready_for_every_profile(run: Run, slug: str) -> None:
    evaluation = run(slug)
    assert evaluation.route is Route.READY_FOR_PANEL, evaluation.as_dict()
    assert evaluation.basis is Basis.CONSENT
    assert not [f for f in evaluation.findings if f.severity is Severity.BLOCKER]


@pytest.mark.parametrize(
    ("slug", "changes", "triage", "confidence", "route", "rules"),
    [pytest.param(*case[1:], id=case[0]) for case in RULE_CASES],
)
def test_rule(
    run: Run,
    slug: str,
    changes: list[tuple[str, Any]],
    triage: dict[str, Any],
    confidence: dict[str, float] | None,
    route: Route,
    rules: set[str],
) -> None:
    existing: tuple[ExistingAssessment, ...] = ()
    if rules == {"existing.assessment"}:
        existing = (
            ExistingAssessment(
                "ref-1",
                "test child  ALPHA",
                dt.date(2020, 6, 15),
                None,
                dt.date(2026, 1, 10),
                "Lead Professional Epsilon",
                "Health Visiting",
            ),
        )
    evaluation = run(
        slug,
        tweak(slug, *changes),
        triage=TriageFacts.from_dict(triage),
        confidence=confidence,
        existing=existing,
    )
    assert evaluation.route is route, evaluation.as_dict()
    assert rules <= set(evaluation.rule_ids), evaluation.rule_ids


def test_every_registered_rule_has_a_case() -> None:
    covered = set().union(*(case[6] for case in RULE_CASES)) | {
        "consent.withdrawn",
        "consent.chair_decision",
    }
    covered |= set().union(*(case[5] for case in PROFILE_CASES))
    covered |= {
        "meeting.listing",
        "consent.not_recorded",
        "consent.given_by_not_allowed",
    }  # tested below
    missing = {r.id for r in RULES} - covered
    assert not missing


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("slug", "changes", "triage", "route", "rules"),
    [pytest.param(*case[1:], id=case[0]) for case in PROFILE_CASES],
)
def test_profile(
    run: Run,
    slug: str,
    changes: list[tuple[str, Any]],
    triage: dict[str, Any],
    route: Route,
    rules: set[str],
) -> None:
    triage = dict(triage)
    confidence = low(triage.pop("_confidence")) if "_confidence" in triage else None
    evaluation = run(
        slug, tweak(slug, *changes), triage=TriageFacts.from_dict(triage), confidence=confidence
    )
    assert evaluation.route is route, evaluation.as_dict()
    assert rules <= set(evaluation.rule_ids), evaluation.rule_ids
