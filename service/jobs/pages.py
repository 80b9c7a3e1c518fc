"""Scanned documents page by page: one task per page, so the pages of one document spread across workers.

The extract task plans the job (:func:`fan_out`) and sends one ``mapdocs.page`` task
for each of the first pages (the probe, read in parallel). Each page task stores its
page words in the object store (encrypted at rest like every object) and updates
``pages_done`` from the count of pages stored. The task that completes the probe
decides whether the document is a form at all (a long report must not cost a page
of OCR per page): if not, the job ends ``not-an-assessment-form``; if so, it sends
the remaining pages and marks the job paged (``Job.kind``). Whichever task stores the
last page sends ``mapdocs.assemble``, which reads the record from all pages, records
it once (:func:`finish_job`) and removes the page objects.

No result backend and no chord: the stored pages are the chord's counter. The probe
decision is deterministic, so a decider that dies before marking the job is simply
repeated by the redelivered task; a page task delivered twice finds its page stored;
a second assembly finds the job finished. Every task takes ids and the plan as JSON.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from celery import Celery, Task
from sqlalchemy import update
from sqlalchemy.orm import Session

from extractors.base import ExtractionContext
from extractors.errors import NotAnAssessmentForm
from extractors.words import PageWords
from service.context import services
from service.db import utcnow
from service.documents import operations as docs
from service.jobs import page_reader
from service.jobs.page_reader import PagePlan
from service.jobs.settings import JobSettings
from service.models import Document, Job, JobState
from storage import ObjectStore

PAGE_TASK = "mapdocs.page"
ASSEMBLE_TASK = "mapdocs.assemble"
#: ``Job.kind`` once the probe found a form and every page was sent
PAGED_JOB = "extract-paged"


def register_page_tasks(celery: Celery, settings: JobSettings) -> None:
    from service.jobs.tasks import task_options

    celery.task(name=PAGE_TASK, **task_options(settings))(read_page)
    celery.task(name=ASSEMBLE_TASK, **task_options(settings))(assemble)


def pages_prefix(job_id: uuid.UUID) -> str:
    from service.jobs.tasks import job_prefix

    return f"{job_prefix(job_id)}pages/"


def page_key(job_id: uuid.UUID, index: int) -> str:
    return f"{pages_prefix(job_id)}page-{index:04d}"


def fan_out(celery: Celery, session: Session, store: ObjectStore, ctx: ExtractionContext,
            job_id: uuid.UUID) -> bool:
    """Split a multi-page scan into page tasks; False (nothing done) for any other document."""
    job = session.get(Job, job_id)
    if job is None or job.finished_at is not None:
        return False
    document = session.get(Document, job.document_id)
    if document is None or document.encrypted:
        return False
    ctx = dataclasses.replace(ctx, panel=document.panel, password=None)
    data = store.get_bytes(document.object_key)
    plan = page_reader.plan(data, document.media_type, ctx)
    if plan is None:
        return False
    if not _start(session, job, plan.pages):
        return True  # another delivery finished it meanwhile
    for index in range(page_reader.probe_pages(plan)):
        celery.send_task(PAGE_TASK, args=[str(job_id), index, plan.to_json()])
    return True


def _not_a_form() -> Any:
    raise NotAnAssessmentForm("The first pages do not carry the sections of an assessment form")


def read_page(task: Task, job_id: str, index: int, plan_json: dict[str, Any]) -> str:
    """Read one page (OCR where needed) and store its words; the last page sends the assembly."""
    from service.jobs.tasks import first_deliveries, guarded

    ident = uuid.UUID(job_id)
    plan = _plan(plan_json)
    svc = services()
    with guarded(task, ident), svc.db.session() as session:
        job = session.get(Job, ident)
        if job is None or job.finished_at is not None:
            return "skipped"
        if not first_deliveries(task, svc.store, ident, f"page-{index}"):
            return "given-up"
        document = docs.get_document(session, job.document_id)
        ctx = dataclasses.replace(svc.extraction, panel=document.panel, password=None)
        if not svc.store.exists(page_key(ident, index)):
            _stored_page(svc.store, svc.store.get_bytes(document.object_key), plan, ident, index, ctx)
        done = _progress(session, svc.store, ident)
        probe = page_reader.probe_pages(plan)
        if job.kind != PAGED_JOB and all(svc.store.exists(page_key(ident, i)) for i in range(probe)):
            return _decide(task.app, session, svc.store, job, plan, plan_json)
        if done >= plan.pages and (index >= probe or job.kind == PAGED_JOB):
            task.app.send_task(ASSEMBLE_TASK, args=[job_id, plan_json])
        return "stored"
    return "failed"


def _decide(celery: Celery, session: Session, store: ObjectStore, job: Job, plan: PagePlan,
            plan_json: dict[str, Any]) -> str:
    """The probe pages are in: end the job if they are not a form, else send the rest and mark it paged.

    Work is sent before the mark, so a crash in between repeats the (deterministic)
    decision on redelivery rather than losing pages; a rare duplicate is harmless.
    """
    probe = page_reader.probe_pages(plan)
    first = [page_reader.page_from_json(json.loads(store.get_bytes(page_key(job.id, i))))
             for i in range(probe)]
    if not page_reader.looks_like_a_form(first):
        docs.finish_job(session, job, docs.outcome_of(_not_a_form))
        _clean_up(store, job.id)
        return "not-a-form"
    if probe == plan.pages:
        celery.send_task(ASSEMBLE_TASK, args=[str(job.id), plan_json])
    for index in range(probe, plan.pages):
        celery.send_task(PAGE_TASK, args=[str(job.id), index, plan_json])
    session.execute(update(Job).where(Job.id == job.id).values(kind=PAGED_JOB)
                    .execution_options(synchronize_session=False))
    session.commit()
    return "decided"


def assemble(task: Task, job_id: str, plan_json: dict[str, Any]) -> str:
    """All pages → layout → record, recorded once; then the page objects are removed."""
    from service.jobs.tasks import first_deliveries, guarded

    ident = uuid.UUID(job_id)
    plan = _plan(plan_json)
    svc = services()
    with guarded(task, ident), svc.db.session() as session:
        job = session.get(Job, ident)
        if job is None or job.finished_at is not None:
            return "skipped"
        if not first_deliveries(task, svc.store, ident, "assemble"):
            return "given-up"
        missing = [index for index in range(plan.pages) if not svc.store.exists(page_key(ident, index))]
        if missing:  # a page object was lost: read those pages again (they send the assembly)
            for index in missing:
                task.app.send_task(PAGE_TASK, args=[job_id, index, plan_json])
            return "waiting"
        document = docs.get_document(session, job.document_id)
        ctx = dataclasses.replace(svc.extraction, panel=document.panel, password=None)
        data = svc.store.get_bytes(document.object_key)
        pages = [page_reader.page_from_json(json.loads(svc.store.get_bytes(page_key(ident, index))))
                 for index in range(plan.pages)]
        outcome = docs.outcome_of(lambda: page_reader.read_pages(data, pages, ctx))
        docs.finish_job(session, job, outcome)
        _clean_up(svc.store, ident)
        return str(job.state)
    return "failed"


def _plan(data: dict[str, Any]) -> PagePlan:
    return PagePlan(media_type=str(data["media_type"]), pages=int(data["pages"]),
                    ocr=tuple(int(i) for i in data["ocr"]))


def _stored_page(store: ObjectStore, data: bytes, plan: PagePlan, job_id: uuid.UUID, index: int,
                 ctx: ExtractionContext) -> PageWords:
    """The page's words, read once: a stored page (an earlier delivery's) is reused."""
    key = page_key(job_id, index)
    if store.exists(key):
        return page_reader.page_from_json(json.loads(store.get_bytes(key)))
    words = page_reader.read_page(data, plan, index, ctx)
    store.put(key, json.dumps(page_reader.page_to_json(words)).encode("utf-8"),
              content_type="application/json")
    return words


def _start(session: Session, job: Job, pages: int) -> bool:
    started = session.execute(update(Job).where(Job.id == job.id, Job.finished_at.is_(None)).values(
        state=JobState.RUNNING, started_at=utcnow(), pages_total=pages)
        .execution_options(synchronize_session=False))
    session.commit()
    session.refresh(job)
    return getattr(started, "rowcount", 0) == 1


def _progress(session: Session, store: ObjectStore, job_id: uuid.UUID) -> int:
    """Pages stored so far, written to ``pages_done`` (it only grows)."""
    done = sum(1 for _ in store.list(pages_prefix(job_id)))
    session.execute(update(Job).where(Job.id == job_id, Job.finished_at.is_(None), Job.pages_done < done)
                    .values(pages_done=done).execution_options(synchronize_session=False))
    session.commit()
    return done


def _clean_up(store: ObjectStore, job_id: uuid.UUID) -> None:
    from service.jobs.tasks import clean_up

    clean_up(store, job_id)
