"""Document operations without a client: plain values, a session and the store."""

import pytest
from flask import Flask

from extractors.base import ExtractionContext
from extractors.errors import EmptyFile
from service.audit.operations import Actor
from service.context import EXTENSION
from service.documents.operations import delete_document, ingest_document, object_references
from service.errors import PayloadTooLarge, UnknownPanel
from service.models import Document, JobState
from tests.service.svc_helpers import make_pdf

SECRET = b"operations-test-secret-0123456789"


def _ingest(app: Flask, data: bytes, panel: str = "generic", max_bytes: int = 10**6):
    svc = app.extensions[EXTENSION]
    with svc.db.session() as session:
        return ingest_document(session, svc.store, ExtractionContext(), data=data, panel=panel,
                               key_secret=SECRET, max_bytes=max_bytes, actor=Actor.system())


@pytest.mark.parametrize(("data", "panel", "max_bytes", "error"), [
    (b"", "generic", 10**6, EmptyFile),
    (make_pdf("x"), "nowhere", 10**6, UnknownPanel),
    (make_pdf("x"), "generic", 100, PayloadTooLarge),
])
def test_refusals_store_nothing(app: Flask, data: bytes, panel: str, max_bytes: int, error: type) -> None:
    with pytest.raises(error):
        _ingest(app, data, panel, max_bytes)
    svc = app.extensions[EXTENSION]
    assert list(svc.store.list()) == []
    with svc.db.session() as session:
        assert session.query(Document).count() == 0


@pytest.mark.db
def test_ingest_then_delete_counts_references(app: Flask) -> None:
    data = make_pdf("ops")
    first = _ingest(app, data, "hackney-mat")
    second = _ingest(app, data, "barnet-map")
    again = _ingest(app, data, "hackney-mat")
    assert first.created and second.created and not again.created
    assert again.document.id == first.document.id
    assert first.document.object_key == second.document.object_key
    assert first.job.state in (JobState.SUCCEEDED, JobState.FAILED)
    svc = app.extensions[EXTENSION]
    assert svc.store.get_bytes(first.document.object_key) == data
    with svc.db.session() as session:
        assert object_references(session, first.document.object_key) == 2
        delete_document(session, svc.store, first.document.id, actor=Actor.system())
        assert svc.store.exists(second.document.object_key)
        delete_document(session, svc.store, second.document.id, actor=Actor.system())
        assert not svc.store.exists(second.document.object_key)
