"""``/api/v1/cases/<case_id>/decision``: chairs record, administrators read, rules refused as 422 problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.decision_seed import seeded

pytestmark = pytest.mark.db


def _body(day: dt.date, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "outcome": "universal_plus", "reason": "Nursery and the health visitor can meet the needs together.",
        "lead_professional": {"name": "Test Lead Epsilon", "agency": "Barnet Early Help Hub",
                              "contact": "early.help@example.org"},
        "review_date": (day + dt.timedelta(days=42)).isoformat(),
        "actions": [{"what": "Book a hearing test", "who": "Health visitor",
                     "by": (day + dt.timedelta(days=10)).isoformat()}],
    }
    body.update(changes)
    return body


def test_chair_records_and_administrator_reads(app: Flask, client: FlaskClient,
                                               auth: Callable[..., dict[str, str]]) -> None:
    meeting = seeded(app)
    url = f"/api/v1/cases/{meeting.case_id('one')}/decision"
    assert client.post(url, json=_body(meeting.date), headers=auth("administrator")).status_code == 403
    created = client.post(url, json=_body(meeting.date), headers=auth("chair"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["version"] == 1 and created.get_json()["actions"][0]["status"] == "open"
    changed = client.post(url, json=_body(meeting.date, dissent="Police preferred a sooner review."),
                          headers=auth("chair"))
    assert changed.get_json()["version"] == 2
    shown = client.get(url, headers=auth("administrator")).get_json()
    assert shown["decision_id"] == changed.get_json()["decision_id"] and shown["state"] == "recorded"
    versions = client.get(f"{url}/versions", headers=auth("administrator")).get_json()
    assert [v["current"] for v in versions] == [False, True]


def test_broken_rule_is_a_problem_naming_the_rule(app: Flask, client: FlaskClient,
                                                  auth: Callable[..., dict[str, str]]) -> None:
    meeting = seeded(app)
    url = f"/api/v1/cases/{meeting.case_id('one')}/decision"
    response = client.post(url, json=_body(meeting.date, review_date=(meeting.date + dt.timedelta(days=90))
                                           .isoformat()), headers=auth("chair"))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["type"] == "decision-rule-broken" and "42 days" in problem["detail"]
    assert client.get(url, headers=auth("chair")).status_code == 404
