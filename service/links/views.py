"""``/l/<token>``: the open disclosure route. Streams the linked object or redirects to S3."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import wrap_file

from service.context import db_session, services
from service.links.operations import open_link

blp = Blueprint("links", __name__)

CHUNK = 64 * 1024


@blp.get("/l/<token>")
def open_disclosure_link(token: str) -> BaseResponse:
    from service.letters.views import dob_form, gated

    if gated(token):  # a family letter's link: ask for a child's date of birth first
        return dob_form(token)
    return _stream(token)


@blp.post("/l/<token>")
def answer_dob_gate(token: str) -> BaseResponse:
    from service.letters.views import check_answer

    return check_answer(token, _stream)


def _stream(token: str) -> BaseResponse:
    opened = open_link(db_session(), services().store, token, ip=request.remote_addr)
    if opened.redirect_url is not None:
        response: BaseResponse = redirect(opened.redirect_url, code=302)
    else:
        assert opened.stream is not None
        response = Response(wrap_file(request.environ, opened.stream, buffer_size=CHUNK),
                            mimetype=opened.media_type, direct_passthrough=True)
        if opened.size is not None:
            response.content_length = opened.size
        response.headers["Content-Disposition"] = f'attachment; filename="mapdocs-{opened.link.id}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
