"""``/api/v1/links``: withdrawing disclosure links (they are created on the object they point at)."""

# flask-smorest ships no type hints: its decorators are untyped
# mypy: disable-error-code="untyped-decorator"

from __future__ import annotations

import uuid

from service.api.base import Blueprint
from service.auth.gate import requires
from service.context import current_actor, db_session
from service.links.operations import revoke_link

blp = Blueprint("links_api", __name__, url_prefix="/api/v1/links", description="Disclosure links")


@blp.route("/<uuid:link_id>", methods=["DELETE"])
@requires("links.revoke")
@blp.response(204)
def revoke(link_id: uuid.UUID) -> None:
    """Revoke a link: opening it afterwards answers 410 ``link-expired``."""
    revoke_link(db_session(), link_id, actor=current_actor())
