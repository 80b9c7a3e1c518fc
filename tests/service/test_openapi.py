from flask.testing import FlaskClient


def test_openapi_document_is_generated_from_the_schemas(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert "/api/v1/documents" in paths
    assert "/api/v1/documents/{document_id}/record" in paths
    assert "/api/v1/jobs/{job_id}" in paths
    schemas = spec["components"]["schemas"]
    assert {"UploadResponse", "Job", "ReferralRecord", "Problem"} <= set(schemas)
    upload = paths["/api/v1/documents"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body
    assert {"200", "201"} <= set(upload["responses"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]


def test_openapi_is_valid(client: FlaskClient) -> None:
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").get_json())
