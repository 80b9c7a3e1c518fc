"""``/healthz`` (the process answers) and ``/readyz`` (database and object storage reachable). Open."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from service.context import services
from service.errors import NotReady
from storage import StorageError

log = logging.getLogger(__name__)

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@blp.get("/readyz")
def readyz() -> Response:
    svc = services()
    try:
        svc.db.ping()
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        raise NotReady("The database cannot be reached") from None
    try:
        svc.store.check()
    except StorageError as exc:
        log.warning("readiness: storage unreachable (%s)", type(exc).__name__)
        raise NotReady("Object storage cannot be reached") from None
    return jsonify(status="ok", database="ok", storage="ok")
