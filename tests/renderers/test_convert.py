"""Real LibreOffice: DOCX -> PDF, tagged PDFs, time-outs and restarts (marked slow)."""

from __future__ import annotations

import io
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from pypdf import PdfReader

from renderers.agenda import AgendaCase, AgendaContext, AgendaMember, render_agenda
from renderers.context import document_context
from renderers.convert import TAGGED, DocxToPdfConverter
from renderers.errors import ConversionError, ConversionTimeout
from renderers.templates import render_docx

pytestmark = pytest.mark.slow


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@document_context
class Letter:
    greeting: str
    panel_name: str


def _agenda() -> AgendaContext:
    return AgendaContext(
        panel_name="Hackney Early Help Panel", council_name="London Borough of Hackney",
        meeting_date="Tuesday 3 March 2026", start_time="09:30", end_time="12:00",
        venue="Hackney Service Centre, Room 4", chair="R. Chair",
        members=(AgendaMember(name="R. Chair", role="Chair", agency="Early Help Hub"),),
        new_referrals=(AgendaCase(case_ref="HAC-2026-0042", initials="A.K., Z.K.", slot="09:45",
                                  referred_by="Orchard Park Primary School"),
                       AgendaCase(case_ref="HAC-2026-0043", initials="T.M.", slot="10:00", late=True)),
        reviews=(AgendaCase(case_ref="HAC-2025-0311", initials="J.B.", slot="10:30"),),
        withheld=2, aob=("Training dates for the spring term",), next_meeting="Tuesday 17 March 2026",
        recipient="Homerton Health Visiting")


def test_agenda_end_to_end(converter: DocxToPdfConverter) -> None:
    rendered = render_agenda(_agenda(), converter=converter)
    assert rendered.pdf is not None
    text = _text(rendered.pdf)
    for expected in ("Hackney Early Help Panel", "HAC-2026-0042", "A.K., Z.K.", "09:45",
                     "HAC-2026-0043 (late", "HAC-2025-0311", "2 cases listed", "Training dates",
                     "OFFICIAL-SENSITIVE", "There are no step-downs", "Tuesday 17 March 2026"):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert all("OFFICIAL-SENSITIVE" in (page.extract_text() or "") for page in reader.pages)


def test_tagged_pdf_is_accessible(converter: DocxToPdfConverter, make_docx: Callable[..., bytes]) -> None:
    docx = render_docx(make_docx(["{{ greeting }}", "The {{ panel_name }} met on Tuesday."],
                                 title="Your family's panel decision"),
                       Letter(greeting="Dear parent or carer,", panel_name="Barnet Early Help Panel"))
    pdf = converter.convert(docx, TAGGED)
    reader = PdfReader(io.BytesIO(pdf))  # reading only: pypdf's writer would drop the tags
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert reader.metadata is not None and reader.metadata.title == "Your family's panel decision"
    assert "Dear parent or carer," in _text(pdf)


def test_untagged_by_default(converter: DocxToPdfConverter, make_docx: Callable[..., bytes]) -> None:
    reader = PdfReader(io.BytesIO(converter.convert(make_docx(["plain"]))))
    assert "/StructTreeRoot" not in reader.trailer["/Root"]


def test_parallel_callers_share_one_instance(converter: DocxToPdfConverter,
                                             make_docx: Callable[..., bytes]) -> None:
    docs = [make_docx([f"document number {i}"]) for i in range(3)]
    with ThreadPoolExecutor(3) as pool:
        pdfs = list(pool.map(converter.convert, docs))
    for i, pdf in enumerate(pdfs):
        assert f"document number {i}" in _text(pdf)


def test_garbage_input_is_a_conversion_error(converter: DocxToPdfConverter) -> None:
    with pytest.raises(ConversionError):
        converter.convert(b"PK\x03\x04 this is not really a word file")
    assert converter.pids(), "a bad document must not cost the warm instance"


def test_timeout_kills_and_recovers(converter: DocxToPdfConverter, make_docx: Callable[..., bytes]) -> None:
    docx = make_docx(["after the time-out"])
    converter.convert(docx)
    before = converter.pids()
    with pytest.raises(ConversionTimeout):
        converter.convert(docx, timeout=0.001)
    assert not set(before) & set(converter.pids()), "the overrunning instance must be killed"
    assert "after the time-out" in _text(converter.convert(docx))
    assert converter.pids() and converter.pids() != before


def test_killed_instance_is_restarted(converter: DocxToPdfConverter, make_docx: Callable[..., bytes]) -> None:
    docx = make_docx(["after the crash"])
    converter.convert(docx)
    (pid,) = converter.pids()
    os.killpg(pid, signal.SIGKILL)  # bridge and its soffice, as an OOM kill would
    deadline = time.monotonic() + 5
    while pid in converter.pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "after the crash" in _text(converter.convert(docx))
    assert converter.pids() and converter.pids() != [pid]


def test_cold_fallback_when_warm_cannot_start(make_docx: Callable[..., bytes]) -> None:
    with DocxToPdfConverter(python="/nonexistent/python3") as cold:
        pdf = cold.convert(make_docx(["cold path"], title="Cold"), TAGGED)
        assert cold.using_fallback
    assert "cold path" in _text(pdf)
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(pdf)).trailer["/Root"]


def test_instance_recycled_after_many_conversions(converter: DocxToPdfConverter,
                                                  make_docx: Callable[..., bytes]) -> None:
    docx = make_docx(["recycled"])
    converter.convert(docx)
    before = converter.pids()
    converter.recycle_after = 1
    try:
        converter.convert(docx)
    finally:
        converter.recycle_after = 500
    assert not set(before) & set(converter.pids())
    assert "recycled" in _text(converter.convert(docx))
