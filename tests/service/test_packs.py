"""Building packs: who gets which case, the manifest, stored packs, summaries, audit (operations level)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pdfplumber
import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from renderers.pdfops import MARKING
from service.audit.operations import Actor
from service.context import EXTENSION
from service.models import AuditEvent, MeetingPack, PackBuild
from service.packs.operations import BuiltPacks, build_meeting_packs
from tests.service.pack_seed import (
    CHILD,
    SeededMeeting,
    chair_decides,
    exclude,
    seed_meeting,
    withdraw_consent,
)

pytestmark = pytest.mark.db


def _build(app: Flask, meeting: SeededMeeting, **kwargs: Any) -> BuiltPacks:
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        built = build_meeting_packs(session, services.store, meeting.meeting_id, actor=Actor.system(),
                                    **kwargs)
        session.expunge_all()
        return built


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


@pytest.fixture
def scenario(app: Flask) -> Iterator[tuple[SeededMeeting, BuiltPacks]]:
    """Four listed cases: clean; police excluded; unresolved exclusion after listing; consent withdrawn."""
    today = dt.date.today()
    meeting = seed_meeting(app, {"clean": {}, "no_police": {"consent__excluded_agencies": ["Police"]},
                                 "unresolved": {}, "withdrawn": {}})
    exclude(app, meeting.cases["unresolved"][1], "Wick Road Pharmacy", today)
    withdraw_consent(app, meeting.cases["withdrawn"][1], today)
    yield meeting, _build(app, meeting)


def _entry(built: BuiltPacks, agency: str) -> dict[str, Any]:
    manifest = built.packs.manifest()
    found: dict[str, Any] = next(p for p in manifest["packs"] if p["agency"] == agency)
    return found


def test_each_agency_gets_only_the_cases_it_may_see(scenario: tuple[SeededMeeting, BuiltPacks]) -> None:
    meeting, built = scenario
    clean, no_police = meeting.case_id("clean"), meeting.case_id("no_police")
    unresolved = meeting.case_id("unresolved")
    assert _entry(built, "mash")["cases"] == [clean, no_police]
    assert _entry(built, "mash")["withheld"] == 2
    police = _entry(built, "police-safer-schools")
    assert police == {"agency": "police-safer-schools", "file": "police-safer-schools.pdf", "cases": [clean],
                      "withheld": 3}
    full = _entry(built, "full")
    assert full["cases"] == [clean, no_police, unresolved]  # the chair's pack keeps the unresolved one
    assert full["withheld"] == 1  # consent withdrawn since listing: in no pack at all
    for entry in built.packs.manifest()["packs"]:
        assert meeting.case_id("withdrawn") not in entry["cases"]
        if entry["agency"] != "full":
            assert unresolved not in entry["cases"]


def test_manifest_shape_is_exact(scenario: tuple[SeededMeeting, BuiltPacks], app: Flask) -> None:
    meeting, built = scenario
    manifest = built.packs.manifest()
    assert set(manifest) == {"meeting_id", "packs"} and manifest["meeting_id"] == str(meeting.meeting_id)
    assert all(set(p) == {"agency", "file", "cases", "withheld"} for p in manifest["packs"])
    agencies = [p["agency"] for p in manifest["packs"]]
    assert agencies[-1] == "full" and len(agencies) == 21  # Barnet's 20 member agencies, then full
    assert all(p["file"] == f"{p['agency']}.pdf" for p in manifest["packs"])


def test_withheld_cases_are_absent_and_counted_in_the_agenda(
        scenario: tuple[SeededMeeting, BuiltPacks]) -> None:
    meeting, built = scenario
    text = _text(built.packs.pack("police-safer-schools").pdf)
    assert meeting.case_ref("clean") in text
    for label in ("no_police", "unresolved", "withdrawn"):
        assert meeting.case_ref(label) not in text
    assert "3 cases have been withheld from this copy of the agenda." in text
    assert "3 cases have been withheld from this pack." in text
    full = _text(built.packs.pack("full").pdf)
    assert meeting.case_ref("unresolved") in full and meeting.case_ref("withdrawn") not in full


def test_summary_pages_carry_initials_and_no_names(scenario: tuple[SeededMeeting, BuiltPacks]) -> None:
    meeting, built = scenario
    pdf = built.packs.pack("mash").pdf
    reader = PdfReader(io.BytesIO(pdf))
    outline = [item for item in reader.outline if not isinstance(item, list)]
    case_marks = [item for item in outline if item.title.startswith(meeting.case_ref("clean"))]
    assert len(case_marks) == 1
    summary = reader.pages[reader.get_destination_page_number(case_marks[0])].extract_text()
    assert "T.C.A." in summary and "attends nursery every day" in summary
    for name in ("Alpha", "Beta", CHILD, "Test Parent Beta", "Gamma", "Delta"):
        assert name not in summary
    assert "Parent/carer" in summary and "information sharing" in summary
    assert "Basis for sharing: consent" in summary


def test_every_page_is_marked_and_numbered(scenario: tuple[SeededMeeting, BuiltPacks]) -> None:
    _, built = scenario
    with pdfplumber.open(io.BytesIO(built.packs.pack("full").pdf)) as doc:
        total = len(doc.pages)
        for number, page in enumerate(doc.pages, start=1):
            assert MARKING in (page.crop((0, 0, page.width, 40)).extract_text() or "")
            bottom = page.crop((0, page.height - 40, page.width, page.height)).extract_text() or ""
            assert MARKING in bottom and f"Page {number} of {total}" in bottom


def test_packs_are_stored_with_what_each_disclosed(scenario: tuple[SeededMeeting, BuiltPacks],
                                                   app: Flask) -> None:
    meeting, built = scenario
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        build = session.scalars(select(PackBuild).where(PackBuild.meeting_id == meeting.meeting_id)).one()
        assert build.manifest == built.packs.manifest()
        rows = {row.agency: row for row in session.scalars(select(MeetingPack)
                                                           .where(MeetingPack.build_id == build.id))}
        assert services.store.get_bytes(rows["mash"].object_key) == built.packs.pack("mash").pdf
        assert rows["mash"].disclosures[meeting.case_id("clean")]["basis"] == "consent"
        assert rows["mash"].sent_at is None
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "packs.build")).one()
        assert event.object_id == str(meeting.meeting_id)
        assert event.detail["left_out"] == {"consent_withdrawn": 1}
        assert event.detail["unresolved_exclusions"] == 1


def test_chair_decision_after_withdrawal_shares_on_safeguarding_basis(app: Flask) -> None:
    today = dt.date.today()
    meeting = seed_meeting(app, {"override": {}})
    referral_id = meeting.cases["override"][1]
    withdraw_consent(app, referral_id, today)
    chair_decides(app, referral_id, dt.datetime.now(dt.UTC))
    built = _build(app, meeting)
    assert _entry(built, "mash")["cases"] == [meeting.case_id("override")]
    text = _text(built.packs.pack("mash").pdf)
    assert "Basis for sharing: safeguarding (chair's decision of" in text
    with app.extensions[EXTENSION].db.session() as session:
        row = session.scalars(select(MeetingPack).where(MeetingPack.agency == "mash")).one()
        disclosure = row.disclosures[meeting.case_id("override")]
        assert disclosure["basis"] == "safeguarding"
        assert disclosure["chair_decision"]["decided_by"] == "chair"


def test_withdrawal_after_the_chairs_decision_wins(app: Flask) -> None:
    today = dt.date.today()
    meeting = seed_meeting(app, {"override": {}})
    referral_id = meeting.cases["override"][1]
    chair_decides(app, referral_id, dt.datetime.combine(today - dt.timedelta(days=3), dt.time(9), dt.UTC))
    withdraw_consent(app, referral_id, today)
    built = _build(app, meeting)
    assert all(entry["cases"] == [] for entry in built.packs.manifest()["packs"])


def test_unreadable_original_becomes_a_notice_page(app: Flask) -> None:
    meeting = seed_meeting(app, {"clean": {}})
    services = app.extensions[EXTENSION]
    with services.db.session() as session:
        from service.models import Document, Referral

        referral = session.get(Referral, meeting.cases["clean"][1])
        assert referral is not None
        document = session.get(Document, referral.document_id)
        assert document is not None
        services.store.put(document.object_key, b"%PDF-1.7 not really", content_type="application/pdf")
    built = _build(app, meeting)
    assert "could not be included in this pack" in _text(built.packs.pack("full").pdf)


@pytest.mark.slow
def test_packs_use_the_word_agenda_through_libreoffice(app: Flask) -> None:
    import shutil

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from service.templates.converter import shared_converter

    meeting = seed_meeting(app, {"clean": {}, "no_police": {"consent__excluded_agencies": ["Police"]}})
    built = _build(app, meeting, converter=shared_converter())
    police = " ".join(_text(built.packs.pack("police-safer-schools").pdf).split())
    assert "1 case listed for this meeting is not shown in this copy" in police
    assert meeting.case_ref("clean") in police and meeting.case_ref("no_police") not in police
    assert "not shown in this copy" not in _text(built.packs.pack("mash").pdf)
