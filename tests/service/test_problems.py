import io

from flask.testing import FlaskClient

from tests.service.svc_helpers import assert_problem


def test_unknown_route_is_a_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not-found")


def test_unknown_document_is_a_problem(client: FlaskClient, auth) -> None:
    response = client.get("/api/v1/documents/00000000-0000-4000-8000-000000000000", headers=auth("admin"))
    assert_problem(response, 404, "not-found")


def test_malformed_id_is_not_found(client: FlaskClient, auth) -> None:
    assert_problem(client.get("/api/v1/documents/not-a-uuid", headers=auth("admin")), 404, "not-found")


def test_wrong_method_is_a_problem_with_allow(client: FlaskClient) -> None:
    response = client.put("/healthz")
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_body_over_the_limit_is_413(app, client: FlaskClient, auth) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/api/v1/documents", headers=auth("triage"),
                           data={"file": (io.BytesIO(b"%PDF-" + b"0" * 4096), "big.pdf"), "panel": "generic"},
                           content_type="multipart/form-data")
    assert_problem(response, 413, "payload-too-large")


def test_missing_fields_are_a_422_problem_naming_fields_only(client: FlaskClient, auth) -> None:
    response = client.post("/api/v1/documents", headers=auth("triage"), data={"panel": "generic"},
                           content_type="multipart/form-data")
    body = assert_problem(response, 422, "invalid-request")
    assert "file" in body["errors"]


def test_unauthorised_is_a_problem_with_challenge(client: FlaskClient) -> None:
    response = client.get("/api/v1/jobs/00000000-0000-4000-8000-000000000000")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_file_sent_as_a_text_field_is_a_validation_error(client: FlaskClient, auth) -> None:
    response = client.post("/api/v1/documents", headers=auth("triage"),
                           data={"file": "not a file", "panel": "generic"},
                           content_type="multipart/form-data")
    body = assert_problem(response, 422, "invalid-request")
    assert body["errors"] == {"file": ["Not a file."]}
