"""Readiness checks behind ``/readyz``: whether this process reaches its database, storage and job broker.

Each check returns True or False and never raises: ``/readyz`` reports every check, so
an operator sees at once which dependency is down. Failures are logged by exception
class only: a broker or database URL may carry a password, and none goes to a log
line or a response body.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from kombu.connection import Connection
from sqlalchemy.exc import SQLAlchemyError

from service.db import Database
from service.jobs.settings import EMBEDDED_SCHEME, JobSettings
from storage import ObjectStore, StorageError

log = logging.getLogger(__name__)

#: seconds a network broker gets to answer: a readiness probe must answer quickly itself
BROKER_TIMEOUT = 1.0
#: seconds to wait for the embedded broker's SQLite file while a worker holds its lock
SQLITE_TIMEOUT = 1.0


def database_ready(db: Database) -> bool:
    try:
        db.ping()
    except SQLAlchemyError as exc:
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        return False
    return True


def storage_ready(store: ObjectStore) -> bool:
    try:
        store.check()
    except StorageError as exc:
        log.warning("readiness: storage unreachable (%s)", type(exc).__name__)
        return False
    return True


def broker_ready(settings: JobSettings, timeout: float = BROKER_TIMEOUT) -> bool:
    """The embedded broker's SQLite file can be written; a Redis or RabbitMQ broker accepts a connection."""
    if settings.embedded:
        return _embedded_broker_ready(Path(settings.broker_url.removeprefix(f"{EMBEDDED_SCHEME}:///")))
    try:
        with Connection(settings.broker_url, connect_timeout=timeout) as conn:  # type: ignore[no-untyped-call]
            # one attempt, no back-off sleep: a probe that waits defeats its purpose
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception as exc:  # noqa: BLE001  (kombu, amqp, redis and socket errors all mean "not ready")
        log.warning("readiness: %s broker unreachable (%s)", settings.transport, type(exc).__name__)
        return False
    return True


def _embedded_broker_ready(path: Path) -> bool:
    """The web process and the worker share this file: it (before the first job, its folder) must be writable.

    A read inside SQLite also proves the file is a database and not locked out for
    longer than :data:`SQLITE_TIMEOUT`; nothing is written, so the probe never competes
    with a worker for the write lock.
    """
    if not path.exists():
        ready = path.parent.is_dir() and os.access(path.parent, os.W_OK | os.X_OK)
        if not ready:
            log.warning("readiness: the embedded broker's directory is not writable")
        return ready
    if not (os.access(path, os.R_OK | os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)):
        log.warning("readiness: the embedded broker's file is not writable")
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=SQLITE_TIMEOUT)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        log.warning("readiness: embedded broker unreadable (%s)", type(exc).__name__)
        return False
    return True
