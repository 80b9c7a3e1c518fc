"""``/api/v1/cases/<case_id>/decision``: chairs record, administrators read, rules refused as 422 problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.decision_seed import decision_body, seeded

pytestmark = pytest.mark.db


def test_chair_records_and_administrator_reads(app: Flask, client: FlaskClient,
                                               auth: Callable[..., dict[str, str]]) -> None:
    meeting = seeded(app)
    url = f"/api/v1/cases/{meeting.case_id('one')}/decision"
    refused = client.post(url, json=decision_body(meeting.date), headers=auth("administrator"))
    assert refused.status_code == 403
    created = client.post(url, json=decision_body(meeting.date), headers=auth("chair"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["version"] == 1 and created.get_json()["actions"][0]["status"] == "open"
    changed = client.post(url, json=decision_body(meeting.date, dissent="Police preferred a sooner review."),
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
    late = (meeting.date + dt.timedelta(days=90)).isoformat()
    response = client.post(url, json=decision_body(meeting.date, review_date=late), headers=auth("chair"))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["type"] == "decision-rule-broken" and "42 days" in problem["detail"]
    assert client.get(url, headers=auth("chair")).status_code == 404
