"""Uploading, listing and choosing a panel's Word templates.

An upload is checked with ``renderers.kinds.validate_upload`` *before* anything is
stored, so a misspelt placeholder is refused with its name instead of leaving a gap in
a document. Each accepted upload is a new version row (object stored under a server
key, who and when); rendering takes the newest version at that moment.
"""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderers.errors import TemplateError, TemplateNotFound, TemplateVariableError
from renderers.kinds import CONTEXTS, validate_upload
from service.audit.operations import Actor, record_event
from service.db import utcnow
from service.meetings.queries import panel_for
from service.models import TemplateVersion
from service.templates.errors import TemplateUploadError, UnknownKind, UnknownVariable
from storage import ObjectStore
from storage.keys import random_key

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


def check_kind(kind: str) -> str:
    if kind not in CONTEXTS:
        raise UnknownKind(f"No document kind called {kind!r}; known kinds: {', '.join(sorted(CONTEXTS))}")
    return kind


def check_template(kind: str, data: bytes) -> None:
    """Refuse a template this kind cannot render, naming the unknown variables."""
    check_kind(kind)
    if not data:
        raise TemplateUploadError("The upload is empty; send the .docx file")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateUploadError("The template is larger than 10 MB")
    try:
        validate_upload(kind, data)
    except TemplateVariableError as exc:
        names = ", ".join(exc.names)
        raise UnknownVariable(f"Unknown variable(s) in the {kind} template: {names}. Check the spelling "
                              "against the variables this document provides.",
                              variables=list(exc.names),
                              errors={"file": [f"unknown variable: {n}" for n in exc.names]}) from None
    except TemplateNotFound as exc:
        raise UnknownKind(str(exc)) from None
    except TemplateError as exc:
        raise TemplateUploadError(f"The {kind} template cannot be used: {exc}") from None


def upload_template(session: Session, store: ObjectStore, panel_slug: str, kind: str, data: bytes, *,
                    actor: Actor) -> TemplateVersion:
    """Check, store and version a council's template for one panel; commits."""
    panel_for(panel_slug)
    check_template(kind, data)
    key = random_key("templates", suffix=".docx")
    store.put(key, data, content_type=DOCX_MEDIA_TYPE)
    latest = session.scalar(select(func.max(TemplateVersion.version))
                            .where(TemplateVersion.panel == panel_slug, TemplateVersion.kind == kind))
    version = (latest or 0) + 1
    row = TemplateVersion(panel=panel_slug, kind=kind, version=version, object_key=key,
                          storage_backend=store.scheme, sha256=hashlib.sha256(data).hexdigest(),
                          size=len(data),
                          uploaded_by=actor.id if actor.kind == "user" else None, uploader_type=actor.kind,
                          uploaded_at=utcnow())
    session.add(row)
    session.flush()
    record_event(session, actor, "template.upload", object_type="template", object_id=row.id,
                 detail={"panel": panel_slug, "kind": kind, "version": version, "sha256": row.sha256})
    session.commit()
    return row


def list_versions(session: Session, panel_slug: str, kind: str) -> list[TemplateVersion]:
    """Every upload of ``kind`` for the panel, newest first."""
    panel_for(panel_slug)
    check_kind(kind)
    return list(session.scalars(select(TemplateVersion)
                                .where(TemplateVersion.panel == panel_slug, TemplateVersion.kind == kind)
                                .order_by(TemplateVersion.version.desc())))


def current_version(session: Session, panel_slug: str, kind: str) -> TemplateVersion | None:
    return session.scalar(select(TemplateVersion)
                          .where(TemplateVersion.panel == panel_slug, TemplateVersion.kind == kind)
                          .order_by(TemplateVersion.version.desc()).limit(1))


@contextlib.contextmanager
def template_override(session: Session, store: ObjectStore, panel_slug: str, kind: str,
                      version: TemplateVersion | None = None) -> Iterator[Path | None]:
    """The panel's newest template of ``kind`` as a temporary file (renderers take a path), or None.

    None means "use the shipped default". The file is removed when the block ends.
    """
    chosen = version or current_version(session, panel_slug, kind)
    if chosen is None:
        yield None
        return
    data = store.get_bytes(chosen.object_key)
    with tempfile.TemporaryDirectory(prefix="mapdocs-template-") as folder:
        path = Path(folder) / f"{kind}.docx"
        path.write_bytes(data)
        yield path
