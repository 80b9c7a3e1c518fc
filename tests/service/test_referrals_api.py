"""`/api/v1/referrals`: stored checks, triage facts, corrections, consent, clocks, attachments, roles."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from service.context import EXTENSION
from service.models import AuditEvent, Referral
from tests.service.referral_helpers import record_for, seed
from tests.service.svc_helpers import assert_problem, finish_jobs, make_pdf, multipart, upload

Auth = Callable[..., dict[str, str]]
DETAIL_KEYS = {
    "id",
    "panel",
    "document_id",
    "status",
    "route",
    "record",
    "extracted_record",
    "triage",
    "basis",
    "findings",
    "consent",
    "versions",
    "documents",
    "social_care",
    "existing_assessment",
}
LIST_KEYS = {
    "id",
    "panel",
    "document_id",
    "status",
    "route",
    "created_at",
    "updated_at",
    "linked_referral_id",
    "social_care_due_at",
    "social_care_overdue",
}
OVERRIDE = {"decided_by": "chair", "decided_at": "2026-03-03T10:00:00+00:00", "reason": "welfare concern"}


def _seed(app: Flask, record: dict[str, Any] | None, **kwargs: Any) -> str:
    with app.extensions[EXTENSION].db.session() as session:
        return str(seed(session, record, **kwargs).id)


def _url(referral_id: str, tail: str = "") -> str:
    return f"/api/v1/referrals/{referral_id}{tail}"


def _attach(client: FlaskClient, headers: dict[str, str], referral_id: str, data: bytes) -> Any:
    body, content_type = multipart({"file": FileStorage(io.BytesIO(data), filename="later.pdf")})
    return client.post(_url(referral_id, "/documents"), headers=headers, data=body, content_type=content_type)


@pytest.mark.db
@pytest.mark.corpus
def test_an_uploaded_form_is_checked_and_its_verdict_stored(
    client: FlaskClient, auth: Auth, shared_dir: Path
) -> None:
    headers = auth("triage")
    data = (shared_dir / "corpus" / "dev" / "dev_001.pdf").read_bytes()  # significant harm: yes
    document_id = upload(client, headers, data, panel="barnet-map").get_json()["id"]

    listed = client.get("/api/v1/referrals", headers=headers, query_string={"document_id": document_id})
    assert listed.status_code == 200
    [item] = listed.get_json()
    assert set(item) == LIST_KEYS and item["route"] == "refer_to_social_care_now"
    assert item["social_care_due_at"] is not None

    detail = client.get(_url(item["id"]), headers=headers).get_json()
    assert set(detail) >= DETAIL_KEYS
    first = detail["findings"][0]
    assert first["rule"] == "safeguarding.significant_harm" and first["route"] == "refer_to_social_care_now"
    assert {"rule", "severity", "message", "path"} <= set(first)
    assert detail["record"]["safeguarding"]["significant_harm_concern"] is True
    assert detail["documents"] == [{**detail["documents"][0], "id": document_id, "role": "first"}]
    assert detail["consent"]["events"][0]["source"] == "form"
    by_route = client.get(
        "/api/v1/referrals",
        headers=headers,
        query_string={"panel": "barnet-map", "route": "refer_to_social_care_now"},
    )
    assert [r["id"] for r in by_route.get_json()] == [item["id"]]
    assert (
        client.get("/api/v1/referrals", headers=headers, query_string={"route": "ready_for_panel"}).json == []
    )


@pytest.mark.db
def test_reading_a_referral_is_audited_and_lists_name_no_one(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    referral_id = _seed(app, record_for("generic"))
    headers = auth("chair")
    listed = client.get("/api/v1/referrals", headers=headers)
    assert "Test " not in listed.get_data(as_text=True)  # clean_record's people are all "Test …"
    assert client.get(_url(referral_id), headers=headers).status_code == 200
    with app.extensions[EXTENSION].db.session() as session:
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "referral.read")).all()
    assert [e.object_id for e in reads] == [referral_id]


@pytest.mark.db
def test_roles(app: Flask, client: FlaskClient, auth: Auth) -> None:
    referral_id = _seed(app, record_for("generic"))
    auditor = auth("auditor")
    assert client.get("/api/v1/referrals", headers=auditor).status_code == 200
    assert client.get("/api/v1/referrals/overdue-social-care", headers=auditor).status_code == 200
    assert_problem(client.get(_url(referral_id), headers=auditor), 403, "forbidden")
    assert_problem(client.patch(_url(referral_id), headers=auditor, json={"child_views": "x"}), 403)
    member = auth("panel_member", agency="school")
    assert_problem(client.get("/api/v1/referrals", headers=member), 403)
    assert_problem(client.get("/api/v1/referrals"), 401)
    chair = auth("chair")
    assert_problem(client.patch(_url(referral_id), headers=chair, json={"child_views": "x"}), 403)
    assert_problem(
        client.post(
            _url(referral_id, "/consent-events"),
            headers=chair,
            json={"kind": "given", "scopes": ["information_sharing"]},
        ),
        403,
    )
    assert_problem(client.get(_url(str(uuid.uuid4())), headers=chair), 404, "not-found")


@pytest.mark.db
def test_triage_facts_change_the_route_and_only_a_chair_overrides(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    referral_id = _seed(
        app, record_for("hackney-mat", consent__information_sharing=False), panel="hackney-mat"
    )
    triage, chair = auth("triage"), auth("chair")
    put = client.put(
        _url(referral_id, "/triage"),
        headers=triage,
        json={"welfare_concern": True, "lawful_basis": "public_task"},
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["route"] == "awaiting_chair_decision"
    assert put.get_json()["triage"]["welfare_concern"] is True

    assert_problem(
        client.patch(_url(referral_id, "/triage"), headers=triage, json={"chair_override": OVERRIDE}),
        403,
        "forbidden",
    )
    assert_problem(
        client.patch(_url(referral_id, "/triage"), headers=chair, json={"known_to_csc": True}),
        403,
        "forbidden",
    )
    decided = client.patch(_url(referral_id, "/triage"), headers=chair, json={"chair_override": OVERRIDE})
    assert decided.status_code == 200
    body = decided.get_json()
    assert body["route"] == "ready_for_panel" and body["basis"] == "safeguarding"
    assert body["triage"]["lawful_basis"] == "public_task"  # PATCH keeps what it was not sent
    with app.extensions[EXTENSION].db.session() as session:
        changes = [
            e.detail["changed"]
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "referral.triage").order_by(AuditEvent.at)
            )
        ]
    assert changes == [["lawful_basis", "welfare_concern"], ["chair_override"]]


@pytest.mark.db
@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"welfare_concern": True, "colour": "red"}, "triage.colour"),
        ({"welfare_concern": "yes"}, "triage.welfare_concern"),
        ({"lawful_basis": "because"}, "triage.lawful_basis"),
        ({"chair_override": {"decided_by": "chair", "reason": "x"}}, "triage.chair_override.decided_at"),
    ],
)
def test_bad_triage_is_a_422_naming_the_key(
    app: Flask, client: FlaskClient, auth: Auth, body: dict[str, Any], key: str
) -> None:
    referral_id = _seed(app, record_for("generic"))
    problem = assert_problem(client.put(_url(referral_id, "/triage"), headers=auth("triage"), json=body), 422)
    assert key in problem["detail"]
    assert key in problem["errors"]


@pytest.mark.db
def test_patch_corrects_with_versions_and_names_a_bad_path(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    referral_id = _seed(app, record_for("generic", consent__date=None))
    headers = auth("triage")
    assert client.get(_url(referral_id), headers=headers).get_json()["route"] != "ready_for_panel"
    fixed = client.patch(_url(referral_id), headers=headers, json={"consent.date": "2026-02-20"})
    assert fixed.status_code == 200, fixed.get_data(as_text=True)
    body = fixed.get_json()
    assert body["route"] == "ready_for_panel"
    assert body["record"]["consent"]["date"] == "2026-02-20"
    assert body["extracted_record"]["consent"]["date"] is None
    [version] = body["versions"]
    assert version["path"] == "consent.date" and version["version"] == 1
    assert version["extracted_value"] is None and version["new_value"] == "2026-02-20"
    assert version["actor_type"] == "user" and version["corrected_by"]

    problem = assert_problem(
        client.patch(_url(referral_id), headers=headers, json={"children[0].date_of_birth": "15/06/2020"}),
        422,
    )
    assert (
        problem["detail"].startswith("children[0].date_of_birth")
        and problem["path"] == "children[0].date_of_birth"
    )
    unknown = assert_problem(client.patch(_url(referral_id), headers=headers, json={"consent.mood": 1}), 422)
    assert unknown["path"] == "consent.mood"
    assert len(client.get(_url(referral_id), headers=headers).get_json()["versions"]) == 1


@pytest.mark.db
def test_consent_events_recheck_and_show_in_the_timeline(app: Flask, client: FlaskClient, auth: Auth) -> None:
    referral_id = _seed(app, record_for("generic"))
    headers = auth("triage")
    withdrawal = {
        "kind": "withdrawn",
        "scopes": ["information_sharing"],
        "on": "2026-03-10",
        "given_by": "parent_carer",
    }
    incomplete = client.post(_url(referral_id, "/consent-events"), headers=headers, json=withdrawal)
    assert "how_recorded" in assert_problem(incomplete, 422)["detail"]
    created = client.post(
        _url(referral_id, "/consent-events"),
        headers=headers,
        json={**withdrawal, "how_recorded": "phone call to triage"},
    )
    assert created.status_code == 201 and created.get_json()["kind"] == "withdrawn"
    body = client.get(_url(referral_id), headers=headers).get_json()
    assert body["route"] == "consent_missing"
    assert body["consent"]["in_force"]["information_sharing"] is False
    assert [e["source"] for e in body["consent"]["events"]][-1] == "officer"
    assert "consent.withdrawn" in [f["rule"] for f in body["findings"]]
    bad = client.post(
        _url(referral_id, "/consent-events"),
        headers=headers,
        json={"kind": "given", "scopes": ["everything"]},
    )
    assert_problem(bad, 422)


@pytest.mark.db
def test_social_care_clock_is_listed_overdue_until_recorded(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    referral_id = _seed(app, record_for("generic", safeguarding__significant_harm_concern=True))
    _seed(app, record_for("generic"))
    headers = auth("triage")
    overdue = client.get("/api/v1/referrals/overdue-social-care", headers=headers).get_json()
    assert [r["id"] for r in overdue] == [referral_id] and overdue[0]["social_care_overdue"] is True
    assert [
        r["id"]
        for r in client.get("/api/v1/referrals", headers=headers, query_string={"overdue": "true"}).get_json()
    ] == [referral_id]
    assert_problem(
        client.post(
            _url(referral_id, "/social-care-referral"),
            headers=auth("chair"),
            json={"made_at": "2026-03-02T12:00:00Z"},
        ),
        403,
    )
    made = client.post(
        _url(referral_id, "/social-care-referral"),
        headers=headers,
        json={"made_at": "2026-03-02T12:00:00Z", "reference": "CSC-77", "by": "duty officer"},
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    body = made.get_json()
    assert body["route"] == "refer_to_social_care_now"  # still not for the panel
    assert body["social_care"]["overdue"] is False and body["social_care"]["reference"] == "CSC-77"
    assert body["social_care"]["made_at"].startswith("2026-03-02T12:00")
    assert client.get("/api/v1/referrals/overdue-social-care", headers=headers).get_json() == []


@pytest.mark.db
@pytest.mark.corpus
def test_a_later_document_is_attached_to_the_same_referral(
    app: Flask, client: FlaskClient, auth: Auth, shared_dir: Path
) -> None:
    headers = auth("triage")
    first = upload(client, headers, make_pdf("blank first scan"), panel="generic").get_json()
    [item] = client.get("/api/v1/referrals", headers=headers, query_string={"document_id": first["id"]}).json
    assert item["route"] is None and item["status"] == "not_a_form"

    rescan = (shared_dir / "corpus" / "dev" / "dev_005.pdf").read_bytes()
    attached = _attach(client, headers, item["id"], rescan)
    assert attached.status_code == 201, attached.get_data(as_text=True)
    finish_jobs(app)
    body = client.get(_url(item["id"]), headers=headers).get_json()
    assert body["status"] == "extracted" and body["record"] is not None and body["route"] is not None
    assert [d["role"] for d in body["documents"]] == ["first", "attached"]
    assert body["documents"][1]["id"] == attached.get_json()["id"]
    with app.extensions[EXTENSION].db.session() as session:
        assert len(session.scalars(select(Referral)).all()) == 1

    again = _attach(client, headers, item["id"], rescan)
    assert again.status_code == 200  # the same bytes again: nothing new
    other = upload(client, headers, make_pdf("another referral"), panel="generic").get_json()
    assert_problem(_attach(client, headers, item["id"], make_pdf("another referral")), 409)
    assert other["id"]
    assert_problem(_attach(client, headers, item["id"], b""), 422)
