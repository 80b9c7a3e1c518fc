"""The service on the S3 backend (a real SeaweedFS): uploads, originals, and links that redirect."""

from __future__ import annotations

import secrets
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service import create_app
from service.audit.operations import Actor
from service.auth.operations import create_user, issue_token
from service.context import EXTENSION
from tests.service.svc_helpers import make_pdf, upload

pytestmark = pytest.mark.s3


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.storage.seaweed import seaweedfs_or_skip

    with seaweedfs_or_skip(
        tmp_path_factory.mktemp("seaweed-service"),
        skip_reason="SeaweedFS 'weed' binary not found; S3 runs of the service tests skipped",
    ) as server:
        yield server


@pytest.fixture
def s3_app(app_config: dict[str, Any], seaweed: Any) -> Iterator[Flask]:
    bucket = f"svc-{secrets.token_hex(4)}"
    seaweed.client().create_bucket(Bucket=bucket)  # buckets are provisioned, not created by the service
    app = create_app({**app_config, "STORAGE_URL": f"s3://{bucket}/mapdocs",
                      "S3_ENDPOINT_URL": seaweed.endpoint_url, "S3_REGION": seaweed.region,
                      "S3_ACCESS_KEY_ID": seaweed.access_key, "S3_SECRET_ACCESS_KEY": seaweed.secret_key})
    yield app
    app.extensions[EXTENSION].db.dispose()


def _headers(app: Flask, role: str) -> dict[str, str]:
    with app.extensions[EXTENSION].db.session() as session:
        token = issue_token(session, create_user(session, f"{role}-{secrets.token_hex(3)}", role,
                                                 actor=Actor.system()), actor=Actor.system())
        session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_upload_original_and_redirecting_link_on_s3(s3_app: Flask, tmp_path: Path) -> None:
    client = s3_app.test_client()
    assert client.get("/readyz").status_code == 200
    data = make_pdf("s3")
    headers = _headers(s3_app, "admin")
    response = upload(client, headers, data)
    assert response.status_code == 201
    document = response.get_json()
    assert client.get(f"/api/v1/documents/{document['id']}/original", headers=headers).data == data

    link = client.post(f"/api/v1/documents/{document['id']}/links", headers=headers).get_json()
    opened = client.get(link["url"].removeprefix("http://localhost"))
    assert opened.status_code == 302
    target = opened.headers["Location"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(target).query)
    assert int(query["X-Amz-Expires"][0]) <= 60
    with urllib.request.urlopen(target, timeout=10) as fetched:  # noqa: S310  (local SeaweedFS)
        assert fetched.read() == data
