"""The ``scan`` extractor: which inputs it takes, a synthetic scanned form end to end, bad scans."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from extractors import pipeline, scan
from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, NotAnAssessmentForm, ResourceLimitExceeded
from extractors.ocr import tesseract
from tests.extractors.ocr.scan_builders import Page, encode, sample_form, scanned_report
from tests.extractors.pdf_builders import pdf_bytes, top
from tests.extractors.test_images import png_header

CTX = ExtractionContext()


def image_pdf(images: list[Image.Image], dpi: int) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def test_scan_outscores_the_image_placeholder_and_text_pdfs_with_image_pages() -> None:
    extractor = scan.ScanExtractor()
    png = encode(Page(100).scanned(), "PNG", 100)
    assert extractor.score("image/png", png, CTX) > 0.1
    assert extractor.score("application/pdf", image_pdf([Page(72).scanned()], 72), CTX) > 0.5


def test_a_pdf_with_a_text_layer_on_every_page_is_not_for_scan() -> None:
    def draw(canvas: Canvas) -> None:
        canvas.drawString(72, top(72), "Child's name: Lily Carter, with more printed text")

    data = pdf_bytes(draw)
    assert scan.ScanExtractor().score("application/pdf", data, CTX) == 0.0


@pytest.mark.ocr
@pytest.mark.slow
def test_a_skewed_noisy_scanned_form_reads_through_the_label_reader() -> None:
    data = encode(sample_form(200).scanned(angle=1.5, noise=0.002), "PNG", 200)
    result = pipeline.extract(data)
    record = result.record
    assert result.extractor == "scan" and record is not None
    assert record["children"][0]["full_name"] == "Lily Carter"
    assert record["children"][0]["date_of_birth"] == "2015-02-14"
    assert record["family"]["postcode"] == "EX1 2AB"
    assert record["strengths"] == ["Lily enjoys reading with her grandmother"]
    assert record["level_of_need"]["tier"] == 2
    assert record["consent"]["information_sharing"] is True
    assert result.provenance["children[0].full_name"].to_json()["page"] == 1


@pytest.mark.ocr
@pytest.mark.slow
def test_an_unclear_consent_mark_is_null_and_flagged_never_true() -> None:
    data = encode(sample_form(200, consent="dot").scanned(), "PNG", 200)
    result = pipeline.extract(data)
    assert result.record is not None
    assert result.record["consent"]["information_sharing"] is None
    assert any(issue.path == "consent.information_sharing" for issue in result.issues)


@pytest.mark.ocr
def test_a_blank_scan_is_refused_specifically() -> None:
    with pytest.raises(scan.BlankScan):
        pipeline.extract(encode(Image.new("L", (1654, 2339), 250), "PNG", 200))


@pytest.mark.ocr
def test_a_photo_that_is_not_a_form_is_not_an_assessment_form() -> None:
    photo = Image.radial_gradient("L").resize((1200, 900))
    with pytest.raises(NotAnAssessmentForm):
        pipeline.extract(encode(photo, "JPEG", 200))


@pytest.mark.ocr
@pytest.mark.slow
def test_a_long_scanned_report_is_refused_after_its_first_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    report = scanned_report(6, 150)
    calls: list[int] = []
    real = tesseract.words

    def counting(*args: object, **kwargs: object) -> list[tesseract.TessWord]:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tesseract, "words", counting)
    with pytest.raises(NotAnAssessmentForm):
        pipeline.extract(image_pdf(report, 150))
    assert len(calls) == scan.PROBE_PAGES


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ResourceLimitExceeded):
        scan.ScanExtractor().extract(png_header(20000, 20000), CTX)


def test_a_corrupt_tiff_is_damaged() -> None:
    data = encode(sample_form(100).scanned(), "TIFF", 100)
    with pytest.raises(DamagedDocument):
        scan.ScanExtractor().extract(data[: len(data) // 3], CTX)


@pytest.mark.ocr
@pytest.mark.slow
def test_an_upside_down_scan_is_turned_and_read() -> None:
    upside_down = sample_form(200).scanned().rotate(180)
    result = pipeline.extract(encode(upside_down, "PNG", 200))
    assert result.record is not None
    assert result.record["children"][0]["full_name"] == "Lily Carter"


def test_blank_answers_on_a_scan_are_flagged_for_review() -> None:
    from extractors.base import ExtractionResult

    result = ExtractionResult(record={"schema_version": "1", "child_views": None,
                                      "consent": {"name": None, "date": "2024-01-02"}},
                              confidence={"consent.date": 1.0})
    scan.flag_blank_answers(result)
    assert result.confidence["child_views"] < 0.8 and result.confidence["consent.name"] < 0.8
    assert "consent.date" not in [issue.path for issue in result.issues]
    assert {issue.path for issue in result.issues} == {"child_views", "consent.name"}
