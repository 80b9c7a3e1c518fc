"""A family's contact details for letters: API roles, validation, audit, the CLI and the operations."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from service.audit.operations import Actor
from service.cli import cli
from service.contacts.errors import InvalidContact, NoContact
from service.contacts.operations import Channel, ContactInput, normalise_email, read_contact, set_contact
from service.context import EXTENSION
from service.models import AuditEvent, FamilyContact
from tests.service.referral_helpers import record_for, seed
from tests.service.svc_helpers import assert_problem

pytestmark = pytest.mark.db

Headers = Callable[..., dict[str, str]]
EMAIL = "parent.beta@example.invalid"


def _referral(app: Flask) -> uuid.UUID:
    with app.extensions[EXTENSION].db.session() as session:
        referral = seed(session, record_for("barnet-map"), panel="barnet-map")
        session.commit()
        return referral.id


def _json(response: TestResponse) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    return body


def _url(referral_id: uuid.UUID) -> str:
    return f"/api/v1/referrals/{referral_id}/family-contact"


def _events(app: Flask, referral_id: uuid.UUID) -> list[AuditEvent]:
    with app.extensions[EXTENSION].db.session() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.object_id == str(referral_id), AuditEvent.action.like("family_contact.%"))
            .order_by(AuditEvent.at)))


def _contact(app: Flask, referral_id: uuid.UUID) -> FamilyContact | None:
    with app.extensions[EXTENSION].db.session() as session:
        row: FamilyContact | None = session.get(FamilyContact, referral_id)
        if row is not None:
            session.expunge(row)
        return row


# --- API -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["panel_member", "auditor", "chair"])
def test_roles_that_may_not_read_or_change_the_contact(app: Flask, client: FlaskClient, auth: Headers,
                                                       role: str) -> None:
    referral_id = _referral(app)
    headers = auth(role, "mash" if role == "panel_member" else None)
    assert_problem(client.get(_url(referral_id), headers=headers), 403, "forbidden")
    assert_problem(client.put(_url(referral_id), json={"email": EMAIL}, headers=headers), 403, "forbidden")
    assert_problem(client.delete(_url(referral_id), headers=headers), 403, "forbidden")
    assert_problem(client.get(_url(referral_id)), 401)
    assert _contact(app, referral_id) is None and _events(app, referral_id) == []


def test_triage_sets_administrator_reads_and_clears(app: Flask, client: FlaskClient, auth: Headers) -> None:
    referral_id = _referral(app)
    body = {"email": "  Parent.Beta@Example.INVALID ", "channel": "email", "large_print": True}
    response = client.put(_url(referral_id), headers=auth("triage"), json=body)
    assert response.status_code == 200, response.json
    put = _json(response)
    assert put["email"] == EMAIL and put["channel"] == "email" and put["large_print"] is True
    assert put["actor_type"] == "user" and put["set_by"]
    got = client.get(_url(referral_id), headers=auth("administrator"))
    assert got.status_code == 200 and _json(got)["email"] == EMAIL
    response = client.put(_url(referral_id), headers=auth("administrator"), json={"channel": "post"})
    assert response.status_code == 200
    changed = _json(response)
    assert changed["channel"] == "post" and changed["email"] is None and changed["large_print"] is False
    deleted = client.delete(_url(referral_id), headers=auth("administrator"))
    assert deleted.status_code == 204
    assert _contact(app, referral_id) is None
    assert_problem(client.get(_url(referral_id), headers=auth("admin")), 404, "not-found")
    assert_problem(client.delete(_url(referral_id), headers=auth("admin")), 404, "not-found")
    events = _events(app, referral_id)
    assert [e.action for e in events] == ["family_contact.set", "family_contact.read", "family_contact.set",
                                          "family_contact.clear"]
    assert all(e.actor_type == "user" and e.actor_id is not None for e in events)
    assert events[0].detail == {"channel": "email", "large_print": True, "has_email": True}
    for event in events:  # the address itself never reaches the audit trail
        assert "example.invalid" not in json.dumps(event.detail).lower()


@pytest.mark.parametrize(("body", "field", "slug"), [
    ({"email": "not an address"}, "email", "invalid-family-contact"),
    ({"email": "parent@example"}, "email", "invalid-family-contact"),
    ({"email": 42}, "email", "invalid-request"),
    ({"email": EMAIL, "channel": "pigeon"}, "channel", "invalid-request"),
    ({"email": EMAIL, "large_print": "sometimes"}, "large_print", "invalid-request"),
    ({"email": EMAIL, "phone": "0123"}, "phone", "invalid-request"),
])
def test_invalid_fields_are_problems(app: Flask, client: FlaskClient, auth: Headers, body: dict[str, object],
                                     field: str, slug: str) -> None:
    referral_id = _referral(app)
    response = client.put(_url(referral_id), json=body, headers=auth("triage"))
    problem = assert_problem(response, 422, slug)
    assert field in problem["errors"]
    if isinstance(body.get("email"), str):  # the address is not echoed back
        assert str(body["email"]) not in response.get_data(as_text=True)
    assert _contact(app, referral_id) is None and _events(app, referral_id) == []


def test_email_channel_needs_an_address(app: Flask, client: FlaskClient, auth: Headers) -> None:
    referral_id = _referral(app)
    problem = assert_problem(client.put(_url(referral_id), json={"channel": "email"}, headers=auth("triage")),
                             422, "invalid-family-contact")
    assert "email" in problem["errors"]
    assert _contact(app, referral_id) is None


def test_unknown_referral_is_not_found(client: FlaskClient, auth: Headers) -> None:
    missing = uuid.uuid4()
    assert_problem(client.put(_url(missing), json={"email": EMAIL}, headers=auth("triage")), 404, "not-found")
    assert_problem(client.get(_url(missing), headers=auth("triage")), 404, "not-found")


def test_routes_are_in_the_openapi_document(client: FlaskClient) -> None:
    paths = _json(client.get("/api/v1/openapi.json"))["paths"]
    assert set(paths["/api/v1/referrals/{referral_id}/family-contact"]) >= {"get", "put", "delete"}


# --- CLI -----------------------------------------------------------------------------------------

def test_cli_sets_and_clears_the_contact(app: Flask, runner: CliRunner) -> None:
    referral_id = _referral(app)
    result = runner.invoke(cli, ["referrals", "contact", str(referral_id),
                                 "--email", "Parent.Beta@Example.invalid", "--large-print"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"referral_id": str(referral_id), "email": EMAIL, "channel": "email",
                                         "large_print": True}
    result = runner.invoke(cli, ["referrals", "contact", str(referral_id), "--post"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["channel"] == "post"
    contact = _contact(app, referral_id)
    assert contact is not None and contact.channel == "post" and contact.actor_type == "system"
    result = runner.invoke(cli, ["referrals", "contact", str(referral_id), "--clear"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"referral_id": str(referral_id), "cleared": True}
    assert _contact(app, referral_id) is None
    assert [e.action for e in _events(app, referral_id)] == ["family_contact.set", "family_contact.set",
                                                            "family_contact.clear"]


@pytest.mark.parametrize(("args", "needle"), [
    (["--email", "parent.beta@"], "not valid"),
    ([], "need an e-mail address"),
    (["--clear", "--post"], "--clear takes no other option"),
])
def test_cli_refuses_with_a_message_not_a_traceback(app: Flask, runner: CliRunner, args: list[str],
                                                    needle: str) -> None:
    referral_id = _referral(app)
    result = runner.invoke(cli, ["referrals", "contact", str(referral_id), *args])
    assert result.exit_code != 0
    assert needle in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert _contact(app, referral_id) is None


def test_cli_clear_without_a_contact_fails(app: Flask, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["referrals", "contact", str(_referral(app)), "--clear"])
    assert result.exit_code == 1 and "No contact details" in result.stderr


# --- operations ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (" Parent.Beta@Example.INVALID\n", EMAIL), ("", None), (None, None), ("   ", None)])
def test_normalise_email(raw: str | None, expected: str | None) -> None:
    assert normalise_email(raw) == expected


@pytest.mark.parametrize("raw", ["no-at-sign", "two@@example.org", "a b@example.org", "a@localhost",
                                 "a@example.", "x" * 250 + "@example.org"])
def test_unusable_addresses_are_refused(raw: str) -> None:
    with pytest.raises(InvalidContact):
        normalise_email(raw)


def test_reading_is_audited_and_a_missing_contact_is_not_found(app: Flask) -> None:
    referral_id = _referral(app)
    with app.extensions[EXTENSION].db.session() as session:
        with pytest.raises(NoContact):
            read_contact(session, referral_id, actor=Actor.system())
        set_contact(session, referral_id, ContactInput(EMAIL, Channel.EMAIL), actor=Actor.system())
        assert read_contact(session, referral_id, actor=Actor.system()).email == EMAIL
    assert [e.action for e in _events(app, referral_id)] == ["family_contact.set", "family_contact.read"]
