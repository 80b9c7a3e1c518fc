"""``/readyz`` checks the job broker: a connection to Redis or RabbitMQ, the embedded broker's SQLite file.

Real brokers only: Redis and RabbitMQ runs are skipped with the reason shown when they
cannot be reached, unless ``MAPDOCS_REQUIRE_BROKERS=1`` (``.ci/run``) makes that a
failure, as in ``test_jobs_brokers.py``. A closed port needs no server: a socket bound
but not listening refuses every connection, so those tests always run.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service import create_app
from service.context import EXTENSION
from service.jobs.worker import broker_reachable
from tests.service.svc_helpers import assert_problem

REDIS_URL = os.environ.get("MAPDOCS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AMQP_URL = os.environ.get("MAPDOCS_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
#: a probe must answer quickly even when the broker is down
PROBE_SECONDS = 5.0


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections for the whole test (bound, never listening)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _app(app_config: dict[str, Any], broker_url: str) -> Iterator[Flask]:
    app = create_app({**app_config, "BROKER_URL": broker_url})
    yield app
    app.extensions[EXTENSION].db.dispose()


def _require(kind: str, url: str) -> None:
    if broker_reachable(url):
        return
    message = f"{kind} not reachable at {url.split('@')[-1]}; its /readyz run skipped"
    if os.environ.get("MAPDOCS_REQUIRE_BROKERS") == "1":
        pytest.fail(message + " but MAPDOCS_REQUIRE_BROKERS=1", pytrace=False)
    pytest.skip(message)


@pytest.mark.broker
@pytest.mark.parametrize(("kind", "url"), [("redis", REDIS_URL), ("rabbitmq", AMQP_URL)])
def test_readyz_is_200_with_a_reachable_broker(app_config: dict[str, Any], kind: str, url: str) -> None:
    _require(kind, url)
    for app in _app(app_config, url):
        response = app.test_client().get("/readyz")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json() == {"status": "ok", "database": "ok", "storage": "ok", "broker": "ok"}


@pytest.mark.parametrize("scheme", ["redis://:s3cret-pw@127.0.0.1:{port}/0",
                                    "amqp://guest:s3cret-pw@127.0.0.1:{port}//"])
def test_readyz_is_503_naming_the_broker_when_its_port_is_closed(
        app_config: dict[str, Any], closed_port: int, scheme: str) -> None:
    for app in _app(app_config, scheme.format(port=closed_port)):
        started = time.monotonic()
        response = app.test_client().get("/readyz")
        assert time.monotonic() - started < PROBE_SECONDS
        body = assert_problem(response, 503, "not-ready")
        assert (body["broker"], body["database"], body["storage"]) == ("unreachable", "ok", "ok")
        assert "broker" in body["detail"]
        text = response.get_data(as_text=True)
        assert "s3cret-pw" not in text and str(closed_port) not in text and "127.0.0.1" not in text
        assert app.test_client().get("/healthz").status_code == 200


def test_readyz_is_503_when_the_embedded_broker_file_is_not_a_database(
        app_config: dict[str, Any]) -> None:
    for app in _app(app_config, ""):
        broker_file = Path(app.config["DATA_DIR"]) / "broker.sqlite3"
        broker_file.write_bytes(b"this is not a SQLite database" * 100)
        body = assert_problem(app.test_client().get("/readyz"), 503, "not-ready")
        assert (body["broker"], body["database"], body["storage"]) == ("unreachable", "ok", "ok")
        assert str(broker_file.parent) not in body["detail"]


def test_readyz_is_503_when_the_embedded_broker_folder_is_missing(
        app_config: dict[str, Any], tmp_path: Path) -> None:
    for app in _app(app_config, f"sqla+sqlite:///{tmp_path / 'gone' / 'broker.sqlite3'}"):
        body = assert_problem(app.test_client().get("/readyz"), 503, "not-ready")
        assert body["broker"] == "unreachable"


def test_readyz_is_200_once_the_embedded_broker_holds_jobs(app_config: dict[str, Any]) -> None:
    """After a job is queued the SQLite file exists and is read, not just its folder checked."""
    for app in _app(app_config, ""):
        from service.jobs.celery_app import celery_init_app

        with celery_init_app(app).connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
            conn.default_channel.queue_declare("readyz-probe")  # creates the broker's tables
        assert (Path(app.config["DATA_DIR"]) / "broker.sqlite3").stat().st_size > 0
        response = app.test_client().get("/readyz")
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["broker"] == "ok"
