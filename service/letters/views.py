"""The date-of-birth form in front of a family letter's ``/l/<token>`` link (called from links/views).

A small HTML page, not the JSON API: families open it from an e-mail on a phone. It asks
for a child's date of birth, or the due date when the family's baby is not born yet. The
letter itself is streamed only in the response to a correct answer, so nothing is cached
or left open behind a passed check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape

from flask import Response, request
from werkzeug.wrappers import Response as BaseResponse

from service.context import db_session
from service.letters.delivery import LinkLocked, check_dob, gate_for

_PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Open your letter</title></head>
<body style="font-family: Arial, sans-serif; font-size: 1.2rem; max-width: 36rem; margin: 2rem auto;">
<h1>Open your letter</h1>
{message}
<form method="post" action="">
<label for="dob">Your child's date of birth, or due date if your baby is not born yet
(for example 2019-03-27)</label><br>
<input id="dob" name="dob" type="date" required autocomplete="off"><br><br>
<button type="submit">Open the letter</button>
</form>
</body></html>
"""


def gated(token: str) -> bool:
    return gate_for(db_session(), token) is not None


def _page(message: str = "", status: int = 200) -> BaseResponse:
    body = _PAGE.format(message=f'<p role="alert">{escape(message)}</p>' if message else "")
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def dob_form(token: str) -> BaseResponse:
    gate = gate_for(db_session(), token)
    if gate is not None and gate.locked_at is not None:
        return _page("This link is locked. Please ask the panel for a new one.", 423)
    return _page()


def check_answer(token: str, stream: Callable[[str], BaseResponse]) -> BaseResponse:
    """Check the posted date; on success stream the letter (``stream`` is the links view)."""
    session = db_session()
    gate = gate_for(session, token)
    if gate is None:
        return stream(token)  # not gated: the normal link rules (unknown, expired...) apply
    try:
        answer = dt.date.fromisoformat(request.form.get("dob", "").strip())
    except ValueError:
        answer = None
    try:
        ok = check_dob(session, gate, answer, ip=request.remote_addr)
    except LinkLocked:
        return _page("This link is locked. Please ask the panel for a new one.", 423)
    if not ok:
        if gate.locked_at is not None:
            return _page("This link is locked. Please ask the panel for a new one.", 423)
        return _page("That date does not match our records. Please try again: a date of birth, "
                     "or the due date if your baby is not born yet.", 403)
    return stream(token)
