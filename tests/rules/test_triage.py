from __future__ import annotations

import datetime as dt

import pytest

from service.rules import LawfulBasis, TriageError, TriageFacts


def test_round_trip() -> None:
    facts = TriageFacts.from_dict(
        {
            "known_to_csc": True,
            "lawful_basis": "public_task",
            "chair_override": {
                "decided_by": "user-1",
                "decided_at": "2026-03-02T10:00:00",
                "reason": "welfare",
            },
            "social_care_referral": {"made_at": "2026-03-02T11:00:00+00:00", "recorded_by": "user-2"},
            "exclusion_resolutions": {"Home Office": "not-a-panel-agency"},
        }
    )
    assert facts.lawful_basis is LawfulBasis.PUBLIC_TASK
    assert facts.chair_override is not None and facts.chair_override.decided_at == dt.datetime(
        2026, 3, 2, 10
    )
    assert TriageFacts.from_dict(facts.as_dict()) == facts


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"colour": 1}, "triage.colour"),
        ({"known_to_csc": "yes"}, "triage.known_to_csc"),
        ({"lawful_basis": "because"}, "triage.lawful_basis"),
        ({"chair_override": {"decided_by": "u", "reason": "r"}}, "triage.chair_override.decided_at"),
        (
            {"chair_override": {"decided_by": "u", "decided_at": "soon", "reason": "r"}},
            "triage.chair_override.decided_at",
        ),
        ({"exclusion_resolutions": {"x": 3}}, "triage.exclusion_resolutions"),
    ],
)
def test_bad_triage_names_the_key(data: dict[str, object], key: str) -> None:
    with pytest.raises(TriageError, match=rf"^{key}:"):
        TriageFacts.from_dict(data)


def test_a_step_down_from_social_care_is_a_triage_fact() -> None:
    facts = TriageFacts.from_dict({"step_down_from_csc": True})
    assert facts.step_down_from_csc is True
    assert TriageFacts.from_dict(facts.as_dict()) == facts
    with pytest.raises(TriageError, match="triage.step_down_from_csc: Not a valid boolean"):
        TriageFacts.from_dict({"step_down_from_csc": "yes"})
