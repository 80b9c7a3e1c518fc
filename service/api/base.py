"""The blueprint class every API module uses: adds the ``form_and_files`` multipart location."""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Request
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict


class Parser(FlaskParser):
    """``form_and_files``: one multipart body with a file and ordinary fields, read as one schema."""

    __location_map__ = dict(form_and_files="load_form_and_files", **FlaskParser.__location_map__)

    def load_form_and_files(self, req: Request, schema: Any) -> MultiDictProxy:
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]  # untyped library
    ARGUMENTS_PARSER = Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "form_and_files": "multipart/form-data",
        "json_or_form": "application/json",
    }
