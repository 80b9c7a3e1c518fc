"""The kinds of scan the issue lists, each read end to end: one-page image PDFs, single-frame TIFFs,
PDFs that mix printed and scanned pages, and a 30-page scan read in bounded memory.

Every page is drawn here (fictional content); the multi-page image PDFs, PNG, JPEG and
multi-page TIFFs of the dev corpus are read by ``test_corpus_scans.py``. Each page is
OCR'd once per run (the run's OCR cache, ``tests/conftest.py``).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from extractors import pipeline, scan
from extractors.base import ExtractionContext
from tests.extractors.ocr.scan_builders import A4, Page, encode, sample_form
from tests.extractors.pdf_builders import top

REPO = Path(__file__).resolve().parents[2]
CTX = ExtractionContext()

pytestmark = pytest.mark.ocr


def _image_pdf(images: list[Image.Image], dpi: int) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()


@pytest.mark.slow
def test_a_one_page_image_pdf_turned_on_its_side_and_skewed_is_read() -> None:
    """Rotation 90 and the largest skew the issue asks for (±5°), on a one-page image-only PDF."""
    turned = sample_form(200).scanned(angle=-4.8).transpose(Image.Transpose.ROTATE_90)
    data = _image_pdf([turned], 200)
    assert scan.scanned_pages(data, CTX) == [0]
    result = pipeline.extract(data)
    assert result.extractor == "scan" and result.page_count == 1 and result.record is not None
    assert result.record["children"][0]["full_name"] == "Lily Carter"
    assert result.record["family"]["postcode"] == "EX1 2AB"
    assert result.record["consent"]["information_sharing"] is True


@pytest.mark.slow
def test_a_single_frame_tiff_turned_270_degrees_is_read() -> None:
    """The profile turns the page the wrong way up; OCR confidence and orientation detection finish it."""
    turned = sample_form(200).scanned().transpose(Image.Transpose.ROTATE_270)
    result = pipeline.extract(encode(turned, "TIFF", 200, compression="tiff_lzw"))
    assert result.extractor == "scan" and result.page_count == 1 and result.record is not None
    assert result.record["children"][0]["full_name"] == "Lily Carter"
    assert result.record["level_of_need"]["tier"] == 2


def _printed_first_page(canvas: Canvas) -> None:
    """Page 1 of a mixed PDF: printed text (a text layer) with the child's details in a ruled table."""
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(40, top(46), "Early Help Assessment")
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(40, top(96), "Child / young person 1")
    _printed_table(canvas, 104, [("Name", "Lily Carter"), ("Date of birth", "14/02/2015")])
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawString(40, top(176), "Person completing the form")
    _printed_table(canvas, 184, [("Name", "Sam Patel"), ("Agency", "Exampletown Primary School")])


def _printed_table(canvas: Canvas, y0: float, rows: list[tuple[str, str]]) -> None:
    canvas.setFont("Helvetica", 10)
    for row, (label, value) in enumerate(rows):
        y = y0 + row * 22
        canvas.rect(40, top(y + 22), 120, 22)
        canvas.rect(160, top(y + 22), 390, 22)
        canvas.drawString(44, top(y + 15), label)
        canvas.drawString(164, top(y + 15), value)


def _scanned_family_page() -> Image.Image:
    page = Page(200)
    page.text(40, 30, "Family", 12, bold=True)
    y = page.table(40, 48, [120, 390], [["Address", "12 Elm Road, Exampletown"], ["Postcode", "EX1 2AB"]])
    page.text(40, y + 14, "Consent", 12, bold=True)
    page.text(40, y + 49, "I agree to information being shared:", 10)
    x = page.option(240, y + 50, "Yes", "cross")
    page.option(x, y + 50, "No")
    return page.scanned(angle=0.8)


def _scanned_needs_page() -> Image.Image:
    page = Page(200)
    page.text(40, 30, "Strengths", 12, bold=True)
    y = page.table(40, 48, [510], [["Lily enjoys reading with her grandmother"]], bold_first=False)
    page.text(40, y + 14, "Needs", 12, bold=True)
    page.table(40, y + 32, [510], [["Lily is often late for school"]], bold_first=False)
    return page.scanned(angle=-0.6)


def mixed_pdf() -> bytes:
    """Printed page, scanned page, and a scanned page whose only text layer is a short stamp."""
    width, height = A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    _printed_first_page(canvas)
    canvas.showPage()
    canvas.drawImage(ImageReader(_scanned_family_page()), 0, 0, width, height)
    canvas.showPage()
    canvas.drawImage(ImageReader(_scanned_needs_page()), 0, 0, width, height)
    stamp = canvas.beginText(500, 20)  # a copier's invisible text layer: too little to be the page's content
    stamp.setTextRenderMode(3)
    stamp.setFont("Helvetica", 6)
    stamp.textLine("scan 3")
    canvas.drawText(stamp)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@pytest.mark.slow
def test_a_pdf_mixing_printed_and_scanned_pages_reads_each_its_own_way() -> None:
    data = mixed_pdf()
    assert scan.scanned_pages(data, CTX) == [1, 2]
    result = pipeline.extract(data)
    record = result.record
    assert result.extractor == "scan" and result.page_count == 3 and record is not None
    assert record["children"][0]["full_name"] == "Lily Carter"
    assert result.provenance["children[0].full_name"].to_json()["page"] == 1  # from the text layer
    assert record["referrer"]["full_name"] == "Sam Patel"
    assert record["family"]["postcode"] == "EX1 2AB"
    assert result.provenance["family.postcode"].to_json()["page"] == 2  # OCR'd
    assert record["consent"]["information_sharing"] is True  # a cross in a box on the scanned page
    assert record["needs"] == ["Lily is often late for school"]  # page 3: the stamp did not stop OCR
    assert record["strengths"] == ["Lily enjoys reading with her grandmother"]


# --- bounded memory ---------------------------------------------------------------------------------

#: peak resident memory a 30-page scan may use beyond a 2-page one: a few pages' pixels, not 30
MAX_GROWTH_BYTES = 64 * 1024 * 1024

_PEAK = r"""
import json, resource, sys
from pathlib import Path
from extractors import pipeline
result = pipeline.extract(Path(sys.argv[1]).read_bytes())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
name = result.record["children"][0]["full_name"]
print(json.dumps({"pages": result.page_count, "peak": peak, "name": name}))
"""


def _scan_of(pages: int, tmp_path: Path) -> Path:
    """A form on page 1, then plain 300-dpi pages with a line of text each (one A4 page ≈ 8.7 MP)."""
    first = sample_form(300).scanned()
    filler = Page(300)
    filler.text(60, 80, "Continuation sheet: nothing further to add", 11)
    path = tmp_path / f"scan-{pages}.pdf"
    path.write_bytes(_image_pdf([first] + [filler.scanned()] * (pages - 1), 300))
    return path


def _peak(path: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, cwd=REPO,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, object] = json.loads(done.stdout)
    return report


@pytest.mark.slow
def test_a_30_page_scan_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Pages are rasterised one at a time: 30 pages peak about where 2 pages do.

    The filler pages are identical pixels, so the run's OCR cache reads them once; every
    page is still rasterised and prepared in full.
    """
    short, long = _peak(_scan_of(2, tmp_path)), _peak(_scan_of(30, tmp_path))
    assert short["pages"] == 2 and long["pages"] == 30
    assert long["name"] == short["name"] == "Lily Carter"
    assert int(str(long["peak"])) - int(str(short["peak"])) < MAX_GROWTH_BYTES, (short, long)
