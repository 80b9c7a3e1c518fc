"""``/api/v1/panels/<slug>/meetings`` and ``/api/v1/meetings``: roles, shapes, agenda, move and cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.audit.operations import Actor
from service.context import EXTENSION
from service.meetings import listing
from service.models import AuditEvent
from tests.service.meetings_helpers import CASE_KEYS, NAME_WORDS, at, docx_text, kids, ready_referral
from tests.service.svc_helpers import assert_problem

Auth = Callable[..., dict[str, str]]


def _create(client: FlaskClient, auth: Auth, date: str, **extra: object) -> dict[str, object]:
    response = client.post("/api/v1/panels/barnet-map/meetings", headers=auth("administrator"),
                           json={"date": date, **extra})
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, object] = response.get_json()
    return body


def _list_two(app: Flask) -> list[str]:
    """Two ready families listed for 17 March 2026 (deadline 10 March), one of them late."""
    with app.extensions[EXTENSION].db.session() as session:
        a = ready_referral(session, "barnet-map", at("2026-03-02"))
        b = ready_referral(session, "barnet-map", at("2026-03-03"), children=kids("Cara Dunn"))
        listing.list_ready(session, "barnet-map", actor=Actor.system(), now=at("2026-03-09"))
        return [str(a.id), str(b.id)]


@pytest.mark.db
def test_roles_on_meeting_routes(client: FlaskClient, auth: Auth) -> None:
    assert_problem(client.get("/api/v1/panels/barnet-map/meetings"), 401)
    assert_problem(client.post("/api/v1/panels/barnet-map/meetings", headers=auth("chair"),
                               json={"date": "2026-03-17"}), 403)
    assert_problem(client.post("/api/v1/panels/barnet-map/meetings", headers=auth("triage"),
                               json={"date": "2026-03-17"}), 403)
    meeting = _create(client, auth, "2026-03-17")
    for role in ("chair", "triage", "auditor"):
        assert client.get(f"/api/v1/meetings/{meeting['id']}", headers=auth(role)).status_code == 200
    assert client.get(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("chair")).status_code == 200
    assert_problem(client.get(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("auditor")), 403)
    assert_problem(client.get(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("panel_member",
                                                                                      "mash")), 403)
    assert_problem(client.get(f"/api/v1/meetings/{meeting['id']}/agenda", headers=auth("triage")), 403)
    assert_problem(client.patch(f"/api/v1/meetings/{meeting['id']}", headers=auth("chair"),
                                json={"venue": "Elsewhere"}), 403)
    assert_problem(client.post("/api/v1/panels/nowhere/meetings", headers=auth("administrator"),
                               json={"date": "2026-03-17"}), 404)


@pytest.mark.db
def test_create_generate_and_read_meetings(client: FlaskClient, auth: Auth) -> None:
    meeting = _create(client, auth, "2026-04-07", start_time="9:30", venue="Hendon hub")
    assert meeting["papers_deadline"] == "2026-03-27" and meeting["start_time"] == "09:30"
    assert meeting["venue"] == "Hendon hub" and meeting["status"] == "scheduled"
    assert "camhs" in meeting["members"]
    clash = client.post("/api/v1/panels/barnet-map/meetings", headers=auth("administrator"),
                        json={"date": "2026-04-07"})
    assert_problem(clash, 409, "meeting-exists")
    bad = client.post("/api/v1/panels/barnet-map/meetings", headers=auth("administrator"),
                      json={"date": "2026-04-14", "start_time": "noon"})
    assert_problem(bad, 422)
    generated = client.post("/api/v1/panels/hackney-mat/meetings/generate", headers=auth("administrator"),
                            json={"count": 3, "from": "2026-03-02"})
    assert generated.status_code == 201, generated.get_data(as_text=True)
    dates = [dt.date.fromisoformat(m["date"]) for m in generated.get_json()]
    assert len(dates) == 3
    assert all(b - a == dt.timedelta(weeks=2) for a, b in zip(dates, dates[1:], strict=False))
    listed = client.get("/api/v1/panels/hackney-mat/meetings", headers=auth("chair")).get_json()
    assert [m["date"] for m in listed] == [d.isoformat() for d in dates]


@pytest.mark.db
def test_cases_shape_explicit_listing_and_review(app: Flask, client: FlaskClient, auth: Auth) -> None:
    meeting = _create(client, auth, "2026-03-17")
    later = _create(client, auth, "2026-03-24")
    first, second = _list_two(app)
    with app.extensions[EXTENSION].db.session() as session:
        third = str(ready_referral(session, "barnet-map", at("2026-03-12"), children=kids("Eve Fox")).id)
    response = client.post(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("administrator"),
                           json={"referral_id": third, "section": "step_down"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["late"] is True and response.get_json()["section"] == "step_down"
    review = client.put(f"/api/v1/referrals/{first}/review", headers=auth("administrator"),
                        json={"review_due": "2026-03-20"})
    assert review.status_code == 200, review.get_data(as_text=True)
    assert review.get_json()["review_due"] == "2026-03-20"
    assert review.get_json()["listed_case_id"] is None  # these meetings are past by the clock
    listed_review = client.post(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("administrator"),
                                json={"referral_id": first, "section": "review"})
    assert listed_review.status_code == 201, listed_review.get_data(as_text=True)
    cases = client.get(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("chair")).get_json()
    assert all(set(case) == CASE_KEYS for case in cases)
    assert [(c["referral_id"], c["section"], c["slot"], c["late"]) for c in cases] == [
        (first, "new", "10:00", False), (second, "new", "10:15", False), (first, "review", "10:30", False),
        (third, "step_down", "10:45", True)]
    assert cases[0]["case_ref"] == "BAR-2026-0001" and cases[0]["initials"] == "A.K., B.K."
    assert client.get(f"/api/v1/meetings/{later['id']}/cases", headers=auth("chair")).get_json() == []
    refused = client.post(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("administrator"),
                          json={"referral_id": third, "section": "sideways"})
    assert_problem(refused, 422)


@pytest.mark.db
def test_move_and_cancel_over_the_api(app: Flask, client: FlaskClient, auth: Auth) -> None:
    meeting = _create(client, auth, "2026-03-17")
    later = _create(client, auth, "2026-03-24")
    _list_two(app)
    moved = client.patch(f"/api/v1/meetings/{meeting['id']}", headers=auth("administrator"),
                         json={"date": "2026-03-13", "start_time": "14:00"})
    assert moved.status_code == 200, moved.get_data(as_text=True)
    assert moved.get_json()["papers_deadline"] == "2026-03-06"
    cases = client.get(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("chair")).get_json()
    assert [(c["slot"], c["late"]) for c in cases] == [("14:00", False), ("14:15", False)]
    moved_again = client.patch(f"/api/v1/meetings/{meeting['id']}", headers=auth("administrator"),
                               json={"date": "2026-03-10"})  # deadline 3 March: the 3 March one still fits
    assert moved_again.get_json()["papers_deadline"] == "2026-03-03"
    cases = client.get(f"/api/v1/meetings/{meeting['id']}/cases", headers=auth("chair")).get_json()
    assert [c["late"] for c in cases] == [False, False]
    cancelled = client.post(f"/api/v1/meetings/{meeting['id']}/cancel", headers=auth("administrator"),
                            json={})
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    moved_cases = client.get(f"/api/v1/meetings/{later['id']}/cases", headers=auth("chair")).get_json()
    assert [c["case_id"] for c in moved_cases] == [c["case_id"] for c in cases]
    assert_problem(client.post(f"/api/v1/meetings/{meeting['id']}/cancel", headers=auth("administrator"),
                               json={}), 409)


@pytest.mark.db
def test_agenda_docx_shows_refs_initials_and_slots_never_names(app: Flask, client: FlaskClient,
                                                               auth: Auth) -> None:
    meeting = _create(client, auth, "2026-03-17")
    _list_two(app)
    response = client.get(f"/api/v1/meetings/{meeting['id']}/agenda?format=docx", headers=auth("chair"))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in response.headers["Content-Disposition"]
    text = docx_text(response.data)
    for expected in ("BAR-2026-0001", "BAR-2026-0002", "A.K., B.K.", "C.D.", "10:00", "10:15",
                     "Tuesday 17 March 2026", "Welcome and introductions", "OFFICIAL-SENSITIVE"):
        assert expected in text, expected
    for word in NAME_WORDS:
        assert word not in text
    with app.extensions[EXTENSION].db.session() as session:
        query = select(AuditEvent).where(AuditEvent.action == "meeting.agenda_generated")
        event = session.scalars(query).one()
        assert event.detail["format"] == "docx" and event.detail["cases"] == 2
        stored = app.extensions[EXTENSION].store.get_bytes(event.detail["object_key"])
    assert stored == response.data
    odt = client.get(f"/api/v1/meetings/{meeting['id']}/agenda?format=odt", headers=auth("chair"))
    assert_problem(odt, 422)
