from typing import Any

from flask.testing import FlaskClient

from service import create_app
from tests.service.svc_helpers import assert_problem


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_database_storage_and_broker(client: FlaskClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "storage": "ok", "broker": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config,
                      "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"})
    body = assert_problem(app.test_client().get("/readyz"), 503, "not-ready")
    assert "nobody" not in body["detail"]
    assert (body["database"], body["storage"], body["broker"]) == ("unreachable", "ok", "ok")
    assert app.test_client().get("/healthz").status_code == 200
