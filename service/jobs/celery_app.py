"""Celery bound to the Flask application factory, and the worker entry point.

``celery_init_app(app)`` makes one Celery app per Flask app (as in Flask's Celery
example): every task runs inside that Flask app's context, so tasks reach the
database and object store through the same services as the views. No result backend:
the ``jobs`` table is where a job's state is kept and read.

As an entry point (``celery -A service.jobs.celery_app worker``) this module builds
the Flask app from the environment on first access to ``app``/``celery``; importing it
for :func:`celery_init_app` creates nothing.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask
from kombu.entity import Exchange, Queue

from service.jobs.settings import JobSettings, job_settings

CELERY_EXTENSION = "mapdocs.celery"
SETTINGS_EXTENSION = "mapdocs.jobs"


def celery_config(settings: JobSettings) -> dict[str, Any]:
    """Celery settings: late acks, one message prefetched per process, JSON only, no results."""
    exchange = Exchange(settings.queue, type="direct")  # type: ignore[no-untyped-call]
    return {
        "broker_url": settings.broker_url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 5,
        "broker_transport_options": transport_options(settings),
        "task_queues": [Queue(settings.queue, exchange,  # type: ignore[no-untyped-call]
                              routing_key=settings.queue)],
        "task_default_queue": settings.queue,
        "task_default_exchange": settings.queue,
        "task_default_routing_key": settings.queue,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "result_backend": None,
        # a message is acknowledged only once its task has finished: a worker that dies
        # mid-task leaves it to be delivered again (tasks are idempotent)
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        "task_soft_time_limit": settings.soft_time_limit,
        "task_time_limit": settings.time_limit,
        "task_publish_retry": True,
        "task_publish_retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5,
                                      "interval_max": 1},
        # remote control and events need fanout exchanges the SQLite transport lacks
        "worker_enable_remote_control": False,
        "worker_send_task_events": False,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
    }


def _embedded_broker_connection(database: str) -> sqlite3.Connection:
    """A connection to the embedded broker's SQLite file, in WAL mode.

    In SQLite's default rollback-journal mode the worker's polling reads blocked the
    web process's publishes, whose busy handler then slept in steps of up to 100 ms:
    hand-offs of over a second were seen under load. In WAL mode readers never block
    the writer. The 30 s timeout waits for the write lock rather than failing on it.
    """
    connection = sqlite3.connect(database, timeout=30, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def transport_options(settings: JobSettings) -> dict[str, Any]:
    if settings.embedded:
        # passed to SQLAlchemy's create_engine
        database = settings.broker_url.split(":///", 1)[1]
        return {"creator": partial(_embedded_broker_connection, database)}
    if settings.transport in ("redis", "rediss"):
        sweep = max(1, min(10, settings.visibility_timeout // 4))
        return {"visibility_timeout": settings.visibility_timeout, "global_keyprefix": f"{settings.queue}:",
                "unacked_restore_interval": sweep, "unacked_restore_throttle": 1}
    return {}


def celery_init_app(app: Flask) -> Celery:
    """The Celery app of ``app`` (created once): tasks registered, each run in ``app``'s context."""
    existing: Celery | None = app.extensions.get(CELERY_EXTENSION)
    if existing is not None:
        return existing
    from service.jobs.tasks import register_tasks

    settings = job_settings(app.config)
    if settings.embedded:  # the SQLite broker file lives in the data directory
        Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)

    class FlaskTask(Task):  # type: ignore[misc]  # celery ships no type hints
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.config_from_object(celery_config(settings))
    register_tasks(celery, settings)
    app.extensions[CELERY_EXTENSION] = celery
    app.extensions[SETTINGS_EXTENSION] = settings
    return celery


def settings_of(app: Flask) -> JobSettings:
    celery_init_app(app)
    found: JobSettings = app.extensions[SETTINGS_EXTENSION]
    return found


_entry: Celery | None = None


def __getattr__(name: str) -> Any:
    """``app``/``celery`` for ``celery -A service.jobs.celery_app``: built from the environment once."""
    global _entry
    if name not in ("app", "celery"):
        raise AttributeError(name)
    if _entry is None:
        from service import create_app

        _entry = celery_init_app(create_app())
    return _entry
