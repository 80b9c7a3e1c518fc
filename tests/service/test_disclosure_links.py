"""``/l/<token>``: bound to one object, expiring, revocable, every open audited."""

import datetime as dt
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from service.audit.operations import Actor
from service.context import EXTENSION
from service.links.operations import create_object_link, hash_token
from service.models import AuditEvent, DisclosureLink
from tests.service.svc_helpers import assert_problem, make_pdf, upload


def _link_events(app: Flask, link_id: str | None = None) -> list[AuditEvent]:
    with app.extensions[EXTENSION].db.session() as session:
        query = session.query(AuditEvent).filter(AuditEvent.action == "link.open")
        if link_id:
            query = query.filter(AuditEvent.object_id == link_id)
        return list(query.order_by(AuditEvent.at))


def _make_link(client: FlaskClient, auth, data: bytes, **body) -> dict:
    document = upload(client, auth("triage"), data).get_json()
    response = client.post(f"/api/v1/documents/{document['id']}/links", headers=auth("administrator"),
                           json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    link = response.get_json()
    assert set(link) == {"id", "url", "expires_at"}
    return link


@pytest.mark.db
def test_link_streams_the_original_and_is_audited(app: Flask, client: FlaskClient, auth) -> None:
    data = make_pdf("link")
    link = _make_link(client, auth, data, purpose="panel-pack")
    path = link["url"].removeprefix("http://localhost")
    assert path.startswith("/l/")
    token = path.removeprefix("/l/")
    assert len(token) >= 40

    response = client.get(path)  # no Authorization header: the route is open
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    client.get(path)

    with app.extensions[EXTENSION].db.session() as session:
        row = session.get(DisclosureLink, uuid.UUID(link["id"]))
        assert row.open_count == 2
        assert row.token_hash == hash_token(token) and token not in row.token_hash
    events = _link_events(app, link["id"])
    assert [e.detail["outcome"] for e in events] == ["streamed", "streamed"]
    assert all(e.actor_type == "link" for e in events)


@pytest.mark.db
def test_revoked_link_is_410_and_audited(app: Flask, client: FlaskClient, auth) -> None:
    link = _make_link(client, auth, make_pdf("revoke"))
    path = link["url"].removeprefix("http://localhost")
    assert client.delete(f"/api/v1/links/{link['id']}", headers=auth("admin")).status_code == 204
    assert_problem(client.get(path), 410, "link-expired")
    assert [e.detail["outcome"] for e in _link_events(app, link["id"])] == ["revoked"]


@pytest.mark.db
def test_expired_link_is_410_and_audited(app: Flask, client: FlaskClient, auth) -> None:
    link = _make_link(client, auth, make_pdf("expire"), ttl_seconds=60)
    expires = dt.datetime.fromisoformat(link["expires_at"])
    assert dt.timedelta(seconds=50) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(seconds=60)
    with app.extensions[EXTENSION].db.session() as session:
        session.execute(update(DisclosureLink).where(DisclosureLink.id == uuid.UUID(link["id"]))
                        .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        session.commit()
    assert_problem(client.get(link["url"].removeprefix("http://localhost")), 410, "link-expired")
    assert [e.detail["outcome"] for e in _link_events(app, link["id"])] == ["expired"]


@pytest.mark.db
def test_unknown_token_is_404_and_audited(app: Flask, client: FlaskClient) -> None:
    assert_problem(client.get("/l/no-such-token"), 404, "not-found")
    events = _link_events(app)
    assert len(events) == 1 and events[0].detail == {"outcome": "unknown"}
    assert events[0].actor_type == "anonymous"


def test_default_ttl_and_public_base_url(app_config: dict, auth) -> None:
    from service import create_app

    app = create_app({**app_config, "LINK_TTL_SECONDS": 3600, "PUBLIC_BASE_URL": "https://mapdocs.example/"})
    try:
        from service.auth.operations import create_user, issue_token

        with app.extensions[EXTENSION].db.session() as session:
            headers = {"Authorization": "Bearer " + issue_token(
                session, create_user(session, "adm", "admin", actor=Actor.system()), actor=Actor.system())}
            session.commit()
        client = app.test_client()
        document = upload(client, headers, make_pdf("ttl")).get_json()
        link = client.post(f"/api/v1/documents/{document['id']}/links", headers=headers).get_json()
        assert link["url"].startswith("https://mapdocs.example/l/")
        left = dt.datetime.fromisoformat(link["expires_at"]) - dt.datetime.now(dt.UTC)
        assert dt.timedelta(minutes=59) < left <= dt.timedelta(hours=1)
    finally:
        app.extensions[EXTENSION].db.dispose()


@pytest.mark.db
def test_object_link_keeps_its_object_referenced(app: Flask, client: FlaskClient) -> None:
    from service.documents.operations import object_references

    svc = app.extensions[EXTENSION]
    svc.store.put("rendered/ab/abcdef", b"%PDF-1.7 rendered pack", content_type="application/pdf")
    with svc.db.session() as session:
        new = create_object_link(session, "rendered/ab/abcdef", media_type="application/pdf",
                                 purpose="agenda-pack", ttl_seconds=60, actor=Actor.system())
        assert object_references(session, "rendered/ab/abcdef") == 1
    response = client.get(f"/l/{new.token}")
    assert response.status_code == 200 and response.data == b"%PDF-1.7 rendered pack"
