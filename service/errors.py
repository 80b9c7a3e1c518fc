"""One error shape: every failure leaves the service as RFC 9457 ``application/problem+json``.

``type`` is a stable slug (``not-found``, ``encrypted-document``…) shared with the CLI's
``error.type``. Domain exceptions carry their status and slug as class attributes; the
handlers registered by :func:`register_error_handlers` turn them, HTTP exceptions and
anything unexpected into a problem. No traceback and no personal data ever reach a body
or a log line: unexpected errors are logged by class name and code location only.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from extractors.errors import ExtractionError
from storage import ObjectNotFound, StorageError, StorageUnavailable

log = logging.getLogger(__name__)

PROBLEM_MIMETYPE = "application/problem+json"

#: slug per HTTP status for errors raised by Flask/werkzeug themselves
STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    410: "gone",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "invalid-request",
    429: "too-many-requests",
    500: "internal-error",
    503: "service-unavailable",
}

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "The request could not be processed",
    500: "Internal error",
    503: "Service unavailable",
}


class ServiceError(Exception):
    """Base of the service's domain errors; subclasses set ``slug``, ``status`` and ``title``."""

    slug = "service-error"
    status = 400
    title = "The request could not be completed"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class NotFound(ServiceError):
    slug = "not-found"
    status = 404
    title = "Not found"


class Unauthorized(ServiceError):
    slug = "unauthorized"
    status = 401
    title = "A valid bearer token is required"


class Forbidden(ServiceError):
    slug = "forbidden"
    status = 403
    title = "Your role does not allow this"


class PayloadTooLarge(ServiceError):
    slug = "payload-too-large"
    status = 413
    title = "The file is larger than mapdocs accepts"


class UnknownPanel(ServiceError):
    slug = "unknown-panel"
    status = 422
    title = "No panel with this slug is configured"


class LinkExpired(ServiceError):
    slug = "link-expired"
    status = 410
    title = "This link has expired or was withdrawn; ask the sender for a new one"


class NotReady(ServiceError):
    slug = "not-ready"
    status = 503
    title = "The service cannot reach its database, storage or job broker"


class InvalidRequest(ServiceError):
    slug = "invalid-request"
    status = 422
    title = "The request could not be processed"


def problem(status: int, slug: str, title: str, detail: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": slug, "title": title, "status": status, "detail": detail or title}
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    slug = STATUS_SLUGS.get(status, "http-error")
    title = _TITLES.get(status, error.name)
    headers = {name: value for name, value in error.get_headers() if name.lower() != "content-type"}
    extra: dict[str, Any] = {}
    data = getattr(error, "data", None)  # flask-smorest / webargs validation messages
    detail = error.description if status != 422 else "Some fields are missing or invalid"
    messages = data.get("errors") or data.get("messages") if isinstance(data, dict) else None
    if isinstance(messages, dict):
        extra["errors"] = _field_messages(messages)
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem(status, slug, title, detail, headers=headers, **extra)


def _field_messages(errors: dict[str, Any]) -> dict[str, Any]:
    """Webargs nests messages by location (``{"form": {"panel": [...]}}``); flatten to field names."""
    flat: dict[str, Any] = {}
    for location, fields in errors.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def _service_problem(error: ServiceError) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return problem(error.status, error.slug, error.title, error.detail, headers=headers, **error.extra)


def _extraction_problem(error: ExtractionError) -> Response:
    return problem(error.status, error.slug, error.title, error.detail)


def _storage_problem(error: StorageError) -> Response:
    if isinstance(error, ObjectNotFound):
        return problem(404, "not-found", "Not found", "The stored object is missing")
    if isinstance(error, StorageUnavailable):
        return problem(503, "storage-unavailable", "Service unavailable", "Object storage cannot be reached")
    log.error("storage error %s during %s %s", type(error).__name__, request.method, request.endpoint)
    return problem(500, "storage-error", "Internal error", "The stored object could not be read")


def _unexpected(error: Exception) -> Response:
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    log.error("unhandled %s at %s during %s %s", type(error).__name__, where, request.method,
              request.endpoint)
    return problem(500, "internal-error", "Internal error",
                   "Something went wrong on our side; the error has been logged")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ServiceError, _service_problem)
    app.register_error_handler(ExtractionError, _extraction_problem)
    app.register_error_handler(StorageError, _storage_problem)
    app.register_error_handler(HTTPException, http_problem)
    app.register_error_handler(Exception, _unexpected)
