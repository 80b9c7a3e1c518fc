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


@pytest.mark.db
def test_a_deletion_waits_for_an_upload_of_the_same_bytes_and_keeps_its_object(app: Flask) -> None:
    """The delete race: an upload that found the object stored commits its row while the
    last other reference is being deleted. The key's lock makes the deletion count after
    the upload's commit, so the object stays."""
    import threading

    from service.documents.key_locks import object_key_lock
    from service.documents.operations import _engine

    data = make_pdf("race")
    first = _ingest(app, data, "hackney-mat")
    key = first.document.object_key
    svc = app.extensions[EXTENSION]
    deleted = threading.Event()

    def delete_first() -> None:
        with svc.db.session() as session:
            delete_document(session, svc.store, first.document.id, actor=Actor.system())
        deleted.set()

    with svc.db.session() as session, object_key_lock(_engine(session), key):
        # an upload of the same bytes to another panel, between its existence check and its commit
        deleter = threading.Thread(target=delete_first)
        deleter.start()
        assert not deleted.wait(0.5), "the deletion did not wait for the key's lock"
        session.add(Document(sha256=first.document.sha256, media_type="application/pdf", size=len(data),
                             page_count=1, object_key=key, storage_backend=svc.store.scheme,
                             panel="barnet-map"))
        session.commit()
    deleter.join(30)
    assert deleted.is_set()
    assert svc.store.get_bytes(key) == data  # still there for the Barnet document
