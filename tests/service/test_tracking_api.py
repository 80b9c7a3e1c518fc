"""``/api/v1/cases/<id>/tracking-form...``, ``.../actions/<n>/status`` and ``.../progress-ratings``."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.context import EXTENSION
from service.models import AuditEvent
from tests.service.decision_seed import decision_body, seeded
from tests.service.meetings_helpers import docx_text

pytestmark = pytest.mark.db

Auth = Callable[..., dict[str, str]]


def _versions(client: FlaskClient, case_id: str, headers: dict[str, str]) -> list[tuple[int, str]]:
    response = client.get(f"/api/v1/cases/{case_id}/tracking-form/versions", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [(item["version"], item["trigger"]) for item in response.get_json()]


def _downloads(app: Flask) -> list[tuple[str, int]]:
    with app.extensions[EXTENSION].db.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "tracking.form_download")
                               .order_by(AuditEvent.at)).all()
        return [(row.detail["format"], row.detail["version"]) for row in rows]


def test_changes_store_versions_and_downloads_are_audited(app: Flask, client: FlaskClient,
                                                          auth: Auth) -> None:
    meeting = seeded(app)
    case_id = meeting.case_id("one")
    chair, admin = auth("chair"), auth("administrator")
    assert client.get(f"/api/v1/cases/{case_id}/tracking-form", headers=chair).status_code == 409
    assert client.post(f"/api/v1/cases/{case_id}/decision", json=decision_body(meeting.date),
                       headers=chair).status_code == 201
    assert _versions(client, case_id, admin) == [(1, "decision")]

    url = f"/api/v1/cases/{case_id}/actions/1/status"
    changed = client.put(url, json={"status": "in_progress", "note": "Appointment booked"}, headers=admin)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["form_version"] == 2 and changed.get_json()["status"] == "in_progress"
    rated = client.post(f"/api/v1/cases/{case_id}/progress-ratings", headers=chair, json={
        "review_date": (meeting.date + dt.timedelta(days=28)).isoformat(),
        "ratings": [{"outcome": 1, "rating": 6, "note": "Sleeping better"}]})
    assert rated.status_code == 201 and rated.get_json() == {"case_id": case_id, "ratings": 1}
    again = client.post(f"/api/v1/cases/{case_id}/decision", headers=chair,
                        json=decision_body(meeting.date, dissent="Police preferred a sooner review."))
    assert again.status_code == 201
    assert _versions(client, case_id, chair) == [(1, "decision"), (2, "action_status"), (3, "rating"),
                                                 (4, "decision")]

    word = client.get(f"/api/v1/cases/{case_id}/tracking-form", headers=chair)
    assert word.status_code == 200 and word.headers["Cache-Control"] == "no-store"
    assert 'filename="tracking_form-v4.docx"' in word.headers["Content-Disposition"]
    text = docx_text(word.data)
    assert "in progress (" in text and "Appointment booked" in text and "6/10" in text
    sheet = client.get(f"/api/v1/cases/{case_id}/tracking-form?format=csv", headers=admin)
    assert sheet.status_code == 200 and sheet.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(sheet.data.decode("utf-8-sig"))))
    action = next(row for row in rows if row[0] == "action")
    assert action[2] == "Book a hearing test" and action[5].startswith("in progress (")
    first = client.get(f"/api/v1/cases/{case_id}/tracking-form?format=csv&version=1", headers=admin)
    assert first.status_code == 200
    assert next(row for row in csv.reader(io.StringIO(first.data.decode("utf-8-sig")))
                if row[0] == "action")[5] == "open"
    missing = client.get(f"/api/v1/cases/{case_id}/tracking-form?version=9", headers=admin)
    assert missing.status_code == 404 and missing.get_json()["type"] == "tracking-form-version-not-found"
    assert _downloads(app) == [("docx", 4), ("csv", 4), ("csv", 1)]
    assert len(_versions(client, case_id, chair)) == 4  # downloads store nothing new


def test_roles_and_refusals(app: Flask, client: FlaskClient, auth: Auth) -> None:
    meeting = seeded(app)
    case_id = meeting.case_id("one")
    chair = auth("chair")
    url = f"/api/v1/cases/{case_id}/actions/1/status"
    assert client.put(url, json={"status": "done"}, headers=chair).status_code == 409
    assert client.post(f"/api/v1/cases/{case_id}/decision", json=decision_body(meeting.date),
                       headers=chair).status_code == 201
    for role in ("triage", "auditor", "panel_member"):
        headers = auth(role, "police") if role == "panel_member" else auth(role)
        assert client.put(url, json={"status": "done"}, headers=headers).status_code == 403
        assert client.get(f"/api/v1/cases/{case_id}/tracking-form", headers=headers).status_code == 403
        assert client.get(f"/api/v1/cases/{case_id}/tracking-form/versions",
                          headers=headers).status_code == 403
        assert client.post(f"/api/v1/cases/{case_id}/progress-ratings", headers=headers, json={
            "review_date": "2026-12-01", "ratings": [{"outcome": 1, "rating": 5}]}).status_code == 403
    assert client.put(url, json={"status": "done"}).status_code == 401

    bad = client.put(url, json={"status": "finished"}, headers=chair)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["type"] == "unknown-action-status" and "in_progress" in bad.get_json()["detail"]
    absent = client.put(f"/api/v1/cases/{case_id}/actions/3/status", json={"status": "done"}, headers=chair)
    assert absent.status_code == 404 and absent.get_json()["type"] == "action-not-found"
    for number in ("0", "first"):
        wrong = client.put(f"/api/v1/cases/{case_id}/actions/{number}/status", json={"status": "done"},
                           headers=chair)
        assert wrong.status_code == 404 and wrong.get_json()["type"] == "action-not-found"
    unrated = client.post(f"/api/v1/cases/{case_id}/progress-ratings", headers=chair, json={
        "review_date": "2026-12-01", "ratings": [{"outcome": 40, "rating": 5}]})
    assert unrated.status_code == 422 and unrated.get_json()["type"] == "tracking-error"
    assert _versions(client, case_id, chair) == [(1, "decision")]
    assert client.put(url, json={"status": "dropped"}, headers=auth("admin")).status_code == 200


@pytest.mark.slow
def test_pdf_is_made_on_first_download_and_kept(app: Flask, client: FlaskClient, auth: Auth) -> None:
    import shutil

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    meeting = seeded(app)
    case_id = meeting.case_id("one")
    chair = auth("chair")
    assert client.post(f"/api/v1/cases/{case_id}/decision", json=decision_body(meeting.date),
                       headers=chair).status_code == 201
    url = f"/api/v1/cases/{case_id}/tracking-form/versions"
    assert client.get(url, headers=chair).get_json()[0]["formats"] == ["docx", "csv"]
    pdf = client.get(f"/api/v1/cases/{case_id}/tracking-form?format=pdf", headers=chair)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    assert client.get(url, headers=chair).get_json()[0]["formats"] == ["docx", "csv", "pdf"]
    again = client.get(f"/api/v1/cases/{case_id}/tracking-form?format=pdf", headers=chair)
    assert again.data == pdf.data  # served from storage, not converted again
    assert _downloads(app) == [("pdf", 1), ("pdf", 1)]
