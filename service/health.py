"""``/healthz`` (the process answers) and ``/readyz`` (database, storage and job broker reachable). Open.

``/readyz`` runs every check and names each one's result, so a 503 says which
dependency is down; the body never carries a URL, host or credential.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from service.context import services
from service.errors import NotReady
from service.jobs.celery_app import settings_of
from service.readiness import broker_ready, database_ready, storage_ready

blp = Blueprint("health", __name__)

OK, FAILED = "ok", "unreachable"


@blp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> Response:
    svc = services()
    checks = {
        "database": database_ready(svc.db),
        "storage": storage_ready(svc.store),
        "broker": broker_ready(settings_of(current_app)),
    }
    results = {name: OK if ready else FAILED for name, ready in checks.items()}
    failed = [name for name, ready in checks.items() if not ready]
    if failed:
        raise NotReady(f"Not reachable: {', '.join(failed)}", **results)
    return jsonify(status="ok", **results)
