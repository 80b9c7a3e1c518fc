"""mapdocs web service: the application factory.

``create_app(config)`` resolves settings (defaults → ``MAPDOCS_*`` environment →
``config``), opens the database and object store, and registers the JSON API, the
health checks and the disclosure route. No module-level app: ``service.wsgi`` and the
CLI call the factory.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from extractors.base import ExtractionContext
from service.config import load_config
from service.context import EXTENSION, Services, Settings, close_db_session
from service.db import Database
from service.request import InMemoryUploadsRequest
from storage import StorageConfig, open_store

log = logging.getLogger(__name__)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from service import api, health
    from service.errors import register_error_handlers
    from service.jobs.celery_app import celery_init_app
    from service.links.views import blp as links_blp
    from service.panels import load_panels

    settings = load_config(config)
    app = Flask(__name__, static_folder=None)
    app.request_class = InMemoryUploadsRequest
    app.config.update(settings)
    load_panels()  # malformed panel data stops start-up, not a request

    store_config = storage_config(settings)
    services = Services(
        db=Database(settings["DATABASE_URL"]),
        store=open_store(store_config),
        settings=Settings(
            max_upload_bytes=settings["MAX_UPLOAD_BYTES"],
            link_ttl_seconds=settings["LINK_TTL_SECONDS"],
            public_base_url=settings["PUBLIC_BASE_URL"] or None,
            storage_backend=store_config.url.split(":", 1)[0],
            key_secret=store_config.key_secret,
        ),
        extraction=ExtractionContext(),
    )
    app.extensions[EXTENSION] = services
    app.teardown_appcontext(close_db_session)
    celery_init_app(app)  # background jobs: tasks run in this app's context

    register_error_handlers(app)
    api.init_api(app)
    register_error_handlers(app)  # after flask-smorest, whose HTTPException handler ours replaces
    app.register_blueprint(health.blp)
    app.register_blueprint(links_blp)
    check_every_api_route_is_guarded(app)
    return app


def storage_config(settings: Mapping[str, Any]) -> StorageConfig:
    return StorageConfig(
        url=settings["STORAGE_URL"],
        encryption_key=settings["ENCRYPTION_KEY_BYTES"],
        key_secret=str(settings["KEY_SECRET"]).encode("utf-8"),
        s3_endpoint_url=settings["S3_ENDPOINT_URL"] or None,
        s3_region=settings["S3_REGION"] or None,
        s3_access_key_id=settings["S3_ACCESS_KEY_ID"] or None,
        s3_secret_access_key=settings["S3_SECRET_ACCESS_KEY"] or None,
    )


def check_every_api_route_is_guarded(app: Flask) -> None:
    """No anonymous access from day one: refuse to start if an API view skipped the auth gate."""
    from service.api import API_PREFIX, OPENAPI_ENDPOINT
    from service.auth.gate import GUARD_ATTRIBUTE

    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint == OPENAPI_ENDPOINT:
            continue
        if not hasattr(app.view_functions[rule.endpoint], GUARD_ATTRIBUTE):
            raise RuntimeError(f"API route {rule.rule} has no role check (service.auth.gate.requires)")
