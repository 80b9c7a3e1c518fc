"""Image preparation: resolution, rotation, skew, flattening, and hostile images."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, ResourceLimitExceeded
from extractors.ocr import prepare
from tests.extractors.ocr.scan_builders import Page, encode, sample_form

CTX = ExtractionContext()


@pytest.mark.parametrize("angle", [-2.4, -1.1, 0.0, 1.6, 4.0])
def test_skew_is_measured_within_a_fifth_of_a_degree(angle: float) -> None:
    page = sample_form(200)
    measured = prepare.skew_angle(page.scanned(angle))
    assert abs(measured + angle) <= 0.2


@pytest.mark.parametrize("angle", [-4.8, 4.8])
def test_a_page_skewed_near_the_limit_is_measured_and_not_taken_for_a_turned_one(angle: float) -> None:
    """At ±4–5° a straight row profile lost to the table's columns and the page was turned on its side."""
    image = sample_form(200).scanned(angle)
    assert abs(prepare.skew_angle(image) + angle) <= 0.2
    assert prepare.quarter_turn(image) == 0
    assert prepare.quarter_turn(image.transpose(Image.Transpose.ROTATE_270)) == 90


def test_a_page_turned_on_its_side_is_turned_back() -> None:
    image = sample_form(150).scanned().transpose(Image.Transpose.ROTATE_90)
    prepared = prepare.prepare(image, 150, 1)
    assert prepared.rotation == 90
    assert prepared.image.height > prepared.image.width


def test_flattening_turns_grey_shading_and_gradients_to_paper() -> None:
    page = Page(200)
    page.draw.rectangle([page.px(50), page.px(50), page.px(300), page.px(80)], fill=200)
    page.text(60, 58, "Home language", 10, bold=True)
    gradient = np.linspace(0.75, 1.0, page.image.width)[None, :]
    shaded = Image.fromarray((np.asarray(page.image, dtype=np.float64) * gradient).astype(np.uint8))
    flat = np.asarray(prepare.flatten_background(shaded, 200))
    shading = flat[page.px(56):page.px(74), page.px(200):page.px(290)]  # 6 pt inside its edges
    assert shading.min() > prepare.INK_LEVEL  # shading is paper
    assert prepare.ink_mask(Image.fromarray(flat))[page.px(58):page.px(70), page.px(60):page.px(130)].any()


def test_images_keep_their_own_resolution_and_low_ones_are_upsampled() -> None:
    data = encode(sample_form(200).scanned(), "PNG", 200)
    image, dpi = next(prepare.image_frames(data, CTX))
    assert dpi == pytest.approx(200, abs=1)
    low = prepare.prepare(image.resize((image.width // 2, image.height // 2)), 100, 1)
    assert low.dpi == prepare.MIN_DPI


def test_multi_page_tiff_frames_one_at_a_time() -> None:
    frames = [sample_form(150).scanned(), Page(150).scanned()]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150))
    assert len(list(prepare.image_frames(buffer.getvalue(), CTX))) == 2


def test_decompression_bomb_is_refused_from_the_header() -> None:
    from tests.extractors.test_images import png_header

    with pytest.raises(ResourceLimitExceeded):
        next(prepare.image_frames(png_header(20000, 20000), CTX))


def test_corrupt_tiff_is_damaged() -> None:
    data = encode(sample_form(100).scanned(), "TIFF", 100)
    with pytest.raises(DamagedDocument):
        list(prepare.image_frames(data[:len(data) // 3], CTX))


def test_image_pdf_pages_render_at_the_scan_resolution() -> None:
    pdf = io.BytesIO()
    sample_form(200).scanned().save(pdf, "PDF", resolution=200)
    document = pdfium.PdfDocument(pdf.getvalue())
    try:
        image, dpi = prepare.render_pdf_page(document, 0, 300, CTX)
    finally:
        document.close()
    assert dpi == 200 and image.mode == "L"
    assert abs(image.width - round(595 * 200 / 72)) <= 2


@pytest.mark.parametrize(("scan_dpi", "rendered_dpi"), [(150, 300), (400, 300), (None, 300)])
def test_pdf_pages_render_at_300_dpi_unless_scanned_at_200_to_300(scan_dpi: int | None,
                                                                  rendered_dpi: int) -> None:
    """Coarse scans, fine scans and pages with no image (a drawn page without text) all at 300 dpi."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    pdf = io.BytesIO()
    canvas = Canvas(pdf, pagesize=(595, 842))
    if scan_dpi is not None:
        canvas.drawImage(ImageReader(Page(scan_dpi).image), 0, 0, 595, 842)
    else:
        canvas.rect(40, 40, 515, 762)
    canvas.showPage()
    canvas.save()
    document = pdfium.PdfDocument(pdf.getvalue())
    try:
        image, dpi = prepare.render_pdf_page(document, 0, 300, CTX)
    finally:
        document.close()
    assert dpi == rendered_dpi
    assert abs(image.width - round(595 * rendered_dpi / 72)) <= 2


def test_a_page_task_starts_at_its_own_frame_of_a_multi_page_tiff() -> None:
    """A page task seeks straight to its frame (the frames before it are never decoded)."""
    frames = [Page(150).scanned().resize((400 + 10 * n, 500)) for n in range(4)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], dpi=(150, 150))
    widths = [image.width for image, _dpi in prepare.image_frames(buffer.getvalue(), CTX, first=2)]
    assert widths == [420, 430]
