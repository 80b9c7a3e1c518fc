"""The JSON API under ``/api/v1``: flask-smorest blueprints whose schemas also make the OpenAPI document."""

from __future__ import annotations

import importlib
from typing import Any

import marshmallow as ma
from flask import Flask, Response
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from service.errors import http_problem

API_PREFIX = "/api/v1"
OPENAPI_ENDPOINT = "api-docs.openapi_json"


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details; ``type`` is a stable slug."""

    type = ma.fields.String(required=True, metadata={"example": "not-found"})
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(metadata={"description": "validation messages by field name"})


class ProblemApi(Api):  # type: ignore[misc]  # flask-smorest is untyped
    """flask-smorest's Api with errors as ``application/problem+json``."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        return http_problem(error)


def api_settings() -> dict[str, Any]:
    return {
        "API_TITLE": "mapdocs",
        "API_VERSION": "1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": API_PREFIX,
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": "Receives early help assessment forms and serves the referral records "
                                    "read from them. Every route needs a bearer token except this document."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    }


def init_api(app: Flask) -> ProblemApi:
    from service.api import audit, documents, jobs, links, referrals

    for key, value in api_settings().items():
        app.config.setdefault(key, value)
    api = ProblemApi(app)
    for module in (documents, jobs, links, audit, referrals):
        api.register_blueprint(module.blp)
    api.register_blueprint(importlib.import_module("service.api.meetings").blp)
    api.register_blueprint(importlib.import_module("service.api.templates").blp)
    api.register_blueprint(importlib.import_module("service.api.packs").blp)
    api.register_blueprint(importlib.import_module("service.api.decisions").blp)
    api.register_blueprint(importlib.import_module("service.api.tracking").blp)
    api.register_blueprint(importlib.import_module("service.api.letters").blp)
    api.register_blueprint(importlib.import_module("service.api.batches").blp)
    api.register_blueprint(importlib.import_module("service.api.contacts").blp)
    return api
