import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.api import OPENAPI_ENDPOINT
from service.audit.operations import Actor
from service.auth.operations import (
    UserError,
    authenticate,
    create_user,
    hash_token,
    issue_token,
    revoke_token,
)
from service.auth.policy import POLICY
from service.context import EXTENSION
from service.models import ApiToken, AuditEvent, Role
from tests.service.svc_helpers import assert_problem, make_pdf, upload

SAMPLE_ID = "00000000-0000-4000-8000-000000000000"


def _api_requests(app: Flask):
    """Every (method, concrete URL) of the JSON API except the OpenAPI document."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint == OPENAPI_ENDPOINT:
            continue
        url = re.sub(r"<(?:[a-z]+:)?[a-z_]+>", SAMPLE_ID, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_api_route_refuses_anonymous_requests(app: Flask, client: FlaskClient) -> None:
    requests = list(_api_requests(app))
    assert len(requests) >= 8
    for method, url in requests:
        response = client.open(url, method=method)
        assert_problem(response, 401, "unauthorized")


def test_every_api_route_refuses_a_bad_token(app: Flask, client: FlaskClient) -> None:
    for method, url in _api_requests(app):
        response = client.open(url, method=method, headers={"Authorization": "Bearer not-a-token"})
        assert_problem(response, 401, "unauthorized")


def test_panel_member_has_no_api_access_yet(app: Flask, client: FlaskClient, auth) -> None:
    headers = auth("panel_member", "health-visiting")
    for method, url in _api_requests(app):
        assert_problem(client.open(url, method=method, headers=headers), 403, "forbidden")


def test_open_routes_need_no_token(client: FlaskClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_policy_names_only_known_roles() -> None:
    for roles in POLICY.values():
        assert roles and roles <= set(Role)
    assert Role.PANEL_MEMBER not in set().union(*POLICY.values())


@pytest.mark.parametrize(("role", "status"), [("triage", 201), ("administrator", 201), ("admin", 201),
                                               ("chair", 403), ("auditor", 403)])
def test_upload_roles(client: FlaskClient, auth, role: str, status: int) -> None:
    response = upload(client, auth(role), make_pdf(role))
    assert response.status_code == status


def test_auditor_reads_metadata_but_not_the_original(client: FlaskClient, auth) -> None:
    created = upload(client, auth("triage"), make_pdf("auditor")).get_json()
    auditor = auth("auditor")
    assert client.get(f"/api/v1/documents/{created['id']}", headers=auditor).status_code == 200
    original = client.get(f"/api/v1/documents/{created['id']}/original", headers=auditor)
    assert_problem(original, 403, "forbidden")
    assert_problem(client.get(f"/api/v1/documents/{created['id']}/record", headers=auditor), 403, "forbidden")


@pytest.mark.db
def test_tokens_are_stored_hashed_and_revocable(app: Flask, client: FlaskClient) -> None:
    with app.extensions[EXTENSION].db.session() as session:
        user = create_user(session, "a triage officer", "triage", actor=Actor.system())
        token = issue_token(session, user, actor=Actor.system())
        session.commit()
        row = session.query(ApiToken).one()
        assert row.token_hash == hash_token(token) and token not in (row.token_hash, row.prefix * 2)
        assert authenticate(session, token).id == user.id
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=headers).status_code == 404
        revoke_token(session, row.id, actor=Actor.system())
        session.commit()
        assert authenticate(session, token) is None
        actions = {event.action for event in session.query(AuditEvent)}
    assert {"user.create", "token.issue", "token.revoke"} <= actions
    assert_problem(client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=headers), 401, "unauthorized")


def test_panel_member_needs_an_agency(app: Flask) -> None:
    with app.extensions[EXTENSION].db.session() as session, pytest.raises(UserError):
        create_user(session, "member", "panel_member", actor=Actor.system())


def test_unknown_role_is_refused(app: Flask) -> None:
    with app.extensions[EXTENSION].db.session() as session, pytest.raises(UserError):
        create_user(session, "someone", "superuser", actor=Actor.system())
