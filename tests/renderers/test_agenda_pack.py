from __future__ import annotations

import io
import time
from collections.abc import Callable

import pdfplumber
import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from renderers.agenda_pack import (
    PackCase,
    PackError,
    PackMeeting,
    PackSet,
    Recipient,
    build_packs,
    prepare_original,
    prepare_originals,
)
from renderers.pdfops import MARKING
from tests.renderers.pack_helpers import form_pages, plain_pages, scanned_pages

MEETING = PackMeeting(meeting_id="m-1", panel_name="Test Panel", meeting_date="Tuesday 3 March 2026")


def _agenda_source(calls: list[tuple[frozenset[str], int]],
                   refs: dict[str, str]) -> Callable[[frozenset[str], int], bytes]:
    def agenda(included: frozenset[str], withheld: int) -> bytes:
        calls.append((included, withheld))
        out = io.BytesIO()
        pdf = canvas.Canvas(out)
        pdf.drawString(72, 700, "Agenda")
        for n, case_id in enumerate(sorted(included)):
            pdf.drawString(72, 680 - 16 * n, refs[case_id])
        if withheld:
            pdf.drawString(72, 300, f"{withheld} case(s) withheld from this pack")
        pdf.showPage()
        pdf.save()
        return out.getvalue()
    return agenda


@pytest.fixture(scope="module")
def cases() -> list[PackCase]:
    original = prepare_original(form_pages(2, "form"), "application/pdf")
    return [PackCase(case_id=f"c{n}", case_ref=f"TST-2026-000{n}", initials=f"A.{n}.",
                     summary=plain_pages(1, f"summary TST-2026-000{n}"), originals=(original,))
            for n in range(1, 4)]


def _text_pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def _build(cases: list[PackCase], calls: list[tuple[frozenset[str], int]] | None = None) -> PackSet:
    ids = {c.case_id for c in cases}
    recipients = [Recipient(slug="police", name="Police", cases=frozenset(ids)),
                  Recipient(slug="housing", name="Housing", cases=frozenset(ids - {"c2"})),
                  Recipient(slug="camhs", name="CAMHS", cases=frozenset(ids - {"c2"})),
                  Recipient(slug="full", name="Chair", cases=frozenset(ids))]
    refs = {c.case_id: c.case_ref for c in cases}
    return build_packs(MEETING, cases, recipients, _agenda_source(calls if calls is not None else [], refs))


def test_manifest_shape_is_exact(cases: list[PackCase]) -> None:
    manifest = _build(cases).manifest()
    assert set(manifest) == {"meeting_id", "packs"}
    assert manifest["meeting_id"] == "m-1"
    for pack in manifest["packs"]:
        assert set(pack) == {"agency", "file", "cases", "withheld"}
    assert manifest["packs"][1] == {"agency": "housing", "file": "housing.pdf", "cases": ["c1", "c3"],
                                    "withheld": 1}
    assert manifest["packs"][3]["cases"] == ["c1", "c2", "c3"]


def test_excluded_case_is_missing_and_the_pack_says_one_was_withheld(cases: list[PackCase]) -> None:
    packs = _build(cases)
    housing = "\n".join(_text_pages(packs.pack("housing").pdf))
    assert "TST-2026-0002" not in housing
    assert "TST-2026-0001" in housing and "TST-2026-0003" in housing
    assert "1 case has been withheld from this pack." in housing
    assert "1 case(s) withheld" in housing
    police = "\n".join(_text_pages(packs.pack("police").pdf))
    assert "TST-2026-0002" in police and "withheld" not in police


def test_agenda_is_rendered_once_per_distinct_set(cases: list[PackCase]) -> None:
    calls: list[tuple[frozenset[str], int]] = []
    _build(cases, calls)
    assert sorted(withheld for _, withheld in calls) == [0, 1]


def test_every_page_is_marked_top_and_bottom_and_numbered(cases: list[PackCase]) -> None:
    pdf = _build(cases).pack("police").pdf
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        total = len(doc.pages)
        assert total == 1 + 1 + 3 * (1 + 2)
        for number, page in enumerate(doc.pages, start=1):
            top = (page.crop((0, 0, page.width, 40)).extract_text() or "")
            bottom = (page.crop((0, page.height - 40, page.width, page.height)).extract_text() or "")
            assert MARKING in top, number
            assert MARKING in bottom, number
            assert f"Page {number} of {total}" in bottom


def test_bookmarks_per_case(cases: list[PackCase]) -> None:
    reader = PdfReader(io.BytesIO(_build(cases).pack("housing").pdf))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Cover sheet", "Agenda", "TST-2026-0001 (A.1.)", "TST-2026-0003 (A.3.)"]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert all(child.title == "Original form" for group in nested for child in group)
    case_pages = [reader.get_destination_page_number(item) for item in reader.outline
                  if not isinstance(item, list)][2:]
    assert case_pages == [2, 5]


def test_forms_are_flattened_in_packs(cases: list[PackCase]) -> None:
    reader = PdfReader(io.BytesIO(_build(cases).pack("police").pdf))
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert "answer 0.1" in reader.pages[3].extract_text()


def test_bad_recipients_are_refused(cases: list[PackCase]) -> None:
    agenda = _agenda_source([], {})
    with pytest.raises(PackError):
        build_packs(MEETING, cases, [Recipient(slug="../etc", name="x", cases=frozenset())], agenda)
    with pytest.raises(PackError):
        build_packs(MEETING, cases, [Recipient(slug="a", name="x", cases=frozenset({"nope"}))], agenda)


def test_prepare_originals_in_worker_processes_marks_unreadable_ones() -> None:
    form = form_pages(2, "form")
    prepared = prepare_originals([(form, "application/pdf"), (b"not a pdf", "application/pdf"),
                                  (form, "application/msword")], workers=2)
    assert prepared[1] is None and prepared[2] is None
    assert prepared[0] is not None and "/AcroForm" not in PdfReader(io.BytesIO(prepared[0])).trailer["/Root"]


def test_recipients_with_the_same_cases_share_one_assembly(cases: list[PackCase]) -> None:
    packs = _build(cases)
    assert packs.pack("housing").pdf is packs.pack("camhs").pdf
    assert packs.pack("police").pdf is packs.pack("full").pdf


def test_images_become_pages_and_other_types_are_refused() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 1600), "white").save(buffer, "PNG")
    assert len(PdfReader(io.BytesIO(prepare_original(buffer.getvalue(), "image/png"))).pages) == 1
    with pytest.raises(PackError):
        prepare_original(b"PK\x03\x04", "application/msword")


def test_twenty_cases_with_scans_stay_under_ten_megabytes() -> None:
    scan = prepare_original(scanned_pages(3, dpi=300), "application/pdf")
    form = prepare_original(form_pages(3, "form"), "application/pdf")
    cases = [PackCase(case_id=f"c{n}", case_ref=f"TST-2026-{n:04d}", initials="A.B.",
                      summary=plain_pages(1, f"summary {n}"), originals=(form, scan)) for n in range(20)]
    ids = frozenset(c.case_id for c in cases)
    started = time.perf_counter()
    packs = build_packs(MEETING, cases, [Recipient(slug="full", name="Chair", cases=ids)],
                        _agenda_source([], {c.case_id: c.case_ref for c in cases}))
    elapsed = time.perf_counter() - started
    pdf = packs.pack("full").pdf
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2 + 20 * 7
    assert len(pdf) < 10 * 1024 * 1024
    assert elapsed < 10  # generous: the bench measures; this catches a per-page re-flatten
