"""Scans through the service: early stop on a report, and bad scans ending in specific errors.

The jobs run in this process on the real embedded broker (:func:`finish_jobs`), as in
``test_jobs.py``; "the worker survives" means every task ran to its end and the next
job is still served. The image bomb also goes through ``mapdocs extract`` in a
subprocess whose peak memory is measured.
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw, TiffImagePlugin

from service.context import EXTENSION
from service.models import Document, ExtractionRun, Referral
from tests.extractors.ocr.scan_builders import Page, sample_form, scanned_report
from tests.service.cli_run import run_mapdocs
from tests.service.svc_helpers import assert_problem, finish_jobs, finished_job, make_pdf, upload

Auth = Callable[..., dict[str, str]]


def _count(app: Flask, model: type) -> int:
    with app.extensions[EXTENSION].db.session() as session:
        found: int = session.query(model).count()
        return found


@pytest.mark.ocr
@pytest.mark.slow
def test_a_long_scanned_report_costs_only_its_probe_pages_of_ocr(app: Flask, client: FlaskClient,
                                                                  auth: Auth) -> None:
    """Six scanned pages that are not a form: the job reads two, then stops as not-an-assessment-form.

    The pages are those of ``test_scan.py``'s one-pass test, so the run's OCR cache has them.
    """
    from service.jobs.pages import PAGE_TASK
    from service.jobs.worker import run_queued

    report = scanned_report(6, 150)
    buffer = io.BytesIO()
    report[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=report[1:])
    headers = auth("triage")
    body = upload(client, headers, buffer.getvalue(), finish=False).get_json()
    assert finish_jobs(app) == 1 + 2  # the extract task and two probe-page tasks; nothing more
    job = finished_job(client, headers, body["job"]["id"])
    assert job["state"] == "failed" and [e["type"] for e in job["errors"]] == ["not-an-assessment-form"]
    assert job["pages_total"] == 6 and job["pages_done"] <= 2
    assert run_queued(app) == 0, f"{PAGE_TASK} tasks left for the other pages"
    store = app.extensions[EXTENSION].store
    assert [key for key in store.list() if key.startswith("jobs/")] == []


@pytest.mark.ocr
@pytest.mark.slow
@pytest.mark.db
def test_page_tasks_delivered_twice_record_the_scan_once(app: Flask, client: FlaskClient, auth: Auth) -> None:
    """What a worker that dies after its work but before its acknowledgement leaves: every page task
    of a two-page scan delivered twice. Pages are read once, the record is made once."""
    from extractors.base import ExtractionContext
    from service.jobs.celery_app import celery_init_app
    from service.jobs.dispatch import job_queue
    from service.jobs.page_reader import plan
    from service.jobs.pages import PAGE_TASK
    from service.jobs.worker import run_queued

    frames = [sample_form(200).scanned(), Page(200).scanned()]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200),
                   compression="tiff_lzw")
    data = buffer.getvalue()
    headers = auth("triage")
    body = upload(client, headers, data, filename="scan.tif", finish=False).get_json()
    assert job_queue(app).wait_local(timeout=30)
    assert run_queued(app, limit=1) == 1  # the extract task: it sends one task per page
    page_plan = plan(data, "image/tiff", ExtractionContext(panel="generic"))
    assert page_plan is not None and page_plan.pages == 2
    celery = celery_init_app(app)
    for index in range(2):  # the redeliveries
        celery.send_task(PAGE_TASK, args=[body["job"]["id"], index, page_plan.to_json()])
    finish_jobs(app)
    job = finished_job(client, headers, body["job"]["id"])
    assert (job["state"], job["pages_done"], job["pages_total"]) == ("succeeded", 2, 2), job
    assert _count(app, ExtractionRun) == 1 and _count(app, Referral) == 1
    record = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers).get_json()
    assert record["record"]["children"][0]["full_name"] == "Lily Carter"


@pytest.mark.ocr
@pytest.mark.slow
def test_a_mixed_pdf_job_reads_printed_pages_from_their_text_and_ocrs_the_others(
        app: Flask, client: FlaskClient, auth: Auth) -> None:
    """Page by page, the printed page is not OCR'd and the record is the one-pass reader's."""
    from extractors.base import ExtractionContext
    from service.documents.operations import extract_bytes
    from tests.extractors.test_scan_inputs import mixed_pdf

    data = mixed_pdf()
    headers = auth("triage")
    body = upload(client, headers, data, finish=False).get_json()
    assert finish_jobs(app) == 1 + 3 + 1  # extract, three pages, assemble
    job = finished_job(client, headers, body["job"]["id"])
    assert (job["state"], job["pages_done"], job["pages_total"]) == ("succeeded", 3, 3), job
    run = client.get(f"/api/v1/documents/{body['id']}/record", headers=headers).get_json()
    assert run["provenance"]["children[0].full_name"]["page"] == 1
    assert run["provenance"]["family.postcode"]["page"] == 2
    assert run["record"] == extract_bytes(data, ExtractionContext(panel="generic")).record


def _tiff_with_a_corrupt_first_frame() -> bytes:
    """Three deflate-compressed frames whose headers are sound (the upload accepts them) but
    whose first frame's pixel data is garbage."""
    frames = []
    for number in range(3):
        frame = Image.new("L", (800, 1100), 255)
        ImageDraw.Draw(frame).text((50, 50), f"page {number + 1}", fill=0)
        frames.append(frame)
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate",
                   dpi=(100, 100))
    data = bytearray(buffer.getvalue())
    with Image.open(io.BytesIO(bytes(data))) as image:
        assert isinstance(image, TiffImagePlugin.TiffImageFile)
        offsets, counts = image.tag_v2[273], image.tag_v2[279]  # the first frame's strips
    for offset, count in zip(offsets, counts, strict=True):
        data[offset + 2:offset + count - 4] = b"\x55" * (count - 6)
    return bytes(data)


@pytest.mark.db
def test_a_multi_page_tiff_with_a_corrupt_frame_fails_as_damaged_and_the_worker_goes_on(
        app: Flask, client: FlaskClient, auth: Auth) -> None:
    headers = auth("triage")
    broken = upload(client, headers, _tiff_with_a_corrupt_first_frame(), filename="scan.tif", finish=False)
    assert broken.status_code == 201  # sound headers: accepted, then found damaged by the page task
    assert finish_jobs(app) == 3  # extract (fans out), page 1 (damaged), page 2 (job over: skipped)
    job = finished_job(client, headers, broken.get_json()["job"]["id"])
    assert job["state"] == "failed" and [e["type"] for e in job["errors"]] == ["damaged-document"], job
    assert job["pages_total"] == 3
    nxt = upload(client, headers, make_pdf(f"after-{uuid.uuid4().hex[:6]}"), finish=False).get_json()
    assert finished_job(client, headers, nxt["job"]["id"])["state"] in {"succeeded", "failed"}


def _png_bomb(side: int = 20000) -> bytes:
    """A real, decodable 1-bit PNG of ``side``×``side`` white pixels: about 50 KB that Pillow would
    turn into ``side``² bytes (400 MB). Compressed row by row, never held whole here."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + payload))
        return struct.pack(">I", len(payload)) + kind + payload + checksum

    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


#: a decoded 20000×20000 image alone is 400 MB; the service's own libraries take under 250 MB
MAX_PEAK_BYTES = 300 * 1024 * 1024


def test_an_image_bomb_is_refused_at_upload(app: Flask, client: FlaskClient, auth: Auth) -> None:
    response = upload(client, auth("triage"), _png_bomb(), filename="scan.png", finish=False)
    assert_problem(response, 422, "resource-limit-exceeded")
    assert _count(app, Document) == 0 and _count(app, ExtractionRun) == 0
    assert finish_jobs(app) == 0


@pytest.mark.slow
def test_an_image_bomb_gives_a_specific_error_in_bounded_memory_on_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_bomb())
    run = run_mapdocs("extract", str(path))
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.lines()[0]["error"]["type"] == "resource-limit-exceeded"
    assert run.peak_bytes < MAX_PEAK_BYTES, run.peak_bytes
