from __future__ import annotations

import io
import time
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from form_templates.fill import fill_pdf, record_to_values
from renderers.errors import PdfError
from renderers.pdfops import (
    MARKING,
    PackPart,
    assemble,
    downsample_scanned,
    flatten_form,
    image_to_pdf,
)
from tests.form_templates.template_record import sample_record

REPO = Path(__file__).resolve().parents[2]


def _pages(n: int, label: str, size: tuple[float, float] = (595.28, 841.89)) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=size)
    for i in range(n):
        pdf.drawString(72, size[1] / 2, f"{label} body {i + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def filled_form() -> bytes:
    blank = (REPO / "form_templates" / "caf.pdf").read_bytes()
    return fill_pdf(blank, record_to_values(sample_record(), "CAF"))


# --- flatten -------------------------------------------------------------------------------------

def test_flatten_bakes_values_and_drops_fields(filled_form: bytes) -> None:
    assert "/AcroForm" in PdfReader(io.BytesIO(filled_form)).trailer["/Root"]
    flat = PdfReader(io.BytesIO(flatten_form(filled_form)))
    assert "/AcroForm" not in flat.trailer["/Root"]
    for page in flat.pages:
        widgets = [a.get_object() for a in page.get("/Annots", []) if a.get_object()["/Subtype"] == "/Widget"]
        assert not widgets
    text = "\n".join(page.extract_text() for page in flat.pages)
    assert "Orchard Park Primary School" in text
    assert "Family Support Worker" in text


def test_flatten_keeps_ticked_box_visible(filled_form: bytes) -> None:
    reader = PdfReader(io.BytesIO(filled_form))
    ticked = None
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/FT") == "/Btn" and annot.get("/AS") not in (None, "/Off"):
                ticked = number, [float(v) for v in annot["/Rect"]]
                break
        if ticked:
            break
    assert ticked is not None, "the sample record ticks at least one box"
    number, (x0, y0, x1, y1) = ticked

    def ink(pdf: bytes) -> int:
        page = pdfium.PdfDocument(pdf)[number]
        image = page.render(scale=2, may_draw_forms=False).to_pil().convert("L")
        height = image.height
        box = image.crop((int(x0 * 2) + 2, int(height - y1 * 2) + 2,
                          int(x1 * 2) - 2, int(height - y0 * 2) - 2))
        return sum(box.histogram()[:128])

    assert ink(flatten_form(filled_form)) > 5, "the tick must be drawn into the page itself"


def test_flatten_leaves_plain_pdfs_alone() -> None:
    plain = _pages(2, "plain")
    assert flatten_form(plain) == plain


# --- scans and images ----------------------------------------------------------------------------

def _scan_pdf(dpi: int = 300) -> bytes:
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("RGB", (width, height), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((dpi, dpi, 3 * dpi, 2 * dpi), fill=(10, 10, 60))
    for y in range(3 * dpi, 10 * dpi, dpi // 4):  # lines of "handwriting"
        draw.line((dpi, y, 7 * dpi, y + 7), fill=(40, 40, 40), width=3)
    noise = Image.effect_noise((width, height), 40).convert("RGB")  # paper grain, as scanners see it
    image = Image.blend(image, noise, 0.15)
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG", quality=90, dpi=(dpi, dpi))
    jpeg.seek(0)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(595.28, 841.89))
    pdf.drawImage(ImageReader(jpeg), 0, 0, 595.28, 841.89)
    pdf.showPage()
    pdf.drawString(72, 700, "A typed page that is not a scan")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_downsample_shrinks_scan_and_stays_readable() -> None:
    scan = _scan_pdf()
    small = downsample_scanned(scan, dpi=150)
    assert len(small) < len(scan) / 3
    reader = PdfReader(io.BytesIO(small))
    assert len(reader.pages) == 2
    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image.mode == "L"
    assert images[0].image.width <= 1241
    assert "typed page" in reader.pages[1].extract_text()
    rendered = pdfium.PdfDocument(small)[0].render(scale=150 / 72).to_pil().convert("L")
    assert rendered.getpixel((225, 225)) < 80, "the dark box is still dark"
    assert rendered.getpixel((1100, 1700)) > 200, "the paper is still light"


def test_downsample_leaves_born_digital_pdfs_alone() -> None:
    plain = _pages(1, "digital")
    assert downsample_scanned(plain) == plain


def test_image_to_pdf_png_and_multipage_tiff() -> None:
    png = io.BytesIO()
    Image.new("RGB", (3000, 2000), "white").save(png, "PNG")
    pdf = PdfReader(io.BytesIO(image_to_pdf(png.getvalue())))
    assert len(pdf.pages) == 1
    assert float(pdf.pages[0].mediabox.width) > float(pdf.pages[0].mediabox.height)  # landscape photo
    tiff = io.BytesIO()
    frames = [Image.new("L", (1240, 1754), 255), Image.new("L", (1240, 1754), 0)]
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])
    assert len(PdfReader(io.BytesIO(image_to_pdf(tiff.getvalue(), greyscale=True))).pages) == 2


def test_image_to_pdf_refuses_garbage() -> None:
    with pytest.raises(PdfError):
        image_to_pdf(b"not an image at all")


# --- assemble ------------------------------------------------------------------------------------

def _outline_titles(reader: PdfReader) -> list[object]:
    def walk(items: list[object]) -> list[object]:
        out: list[object] = []
        for item in items:
            out.append(walk(item) if isinstance(item, list) else item.title)  # type: ignore[attr-defined]
        return out
    return walk(reader.outline)


def test_assemble_bookmarks_marking_and_page_numbers(filled_form: bytes) -> None:
    parts = [PackPart("Cover sheet", _pages(1, "cover")), PackPart("Agenda", _pages(2, "agenda"))]
    for n in (1, 2):
        parts.append(PackPart(f"Case BAR-2026-000{n}", children=(
            PackPart("Summary", _pages(1, f"summary {n}")),
            PackPart("Original form", filled_form))))
    parts.append(PackPart("Landscape annex", _pages(1, "annex", (841.89, 595.28))))
    pack = assemble(parts, title="Panel pack")
    reader = PdfReader(io.BytesIO(pack))
    total = len(reader.pages)
    assert total == 1 + 2 + 2 * (1 + 3) + 1
    assert "/AcroForm" not in reader.trailer["/Root"]
    assert _outline_titles(reader) == [
        "Cover sheet", "Agenda", "Case BAR-2026-0001", ["Summary", "Original form"],
        "Case BAR-2026-0002", ["Summary", "Original form"], "Landscape annex"]
    case2 = reader.outline[4]
    assert reader.get_destination_page_number(case2) == 1 + 2 + 4  # type: ignore[arg-type]
    with pdfplumber.open(io.BytesIO(pack)) as plumber:
        for number, page in enumerate(plumber.pages, start=1):
            words = page.extract_words()
            marks = [w for w in words if w["text"] == MARKING]
            assert any(w["top"] < 30 for w in marks), f"page {number}: no marking at the top"
            assert any(w["bottom"] > page.height - 30 for w in marks), f"page {number}: none at the bottom"
            assert f"Page {number} of {total}" in page.extract_text()


def test_assemble_pages_sharing_resources_get_their_own_numbers() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pages(3, "shared"))))
    shared = writer.pages[0]["/Resources"]
    for page in writer.pages:
        page[NameObject("/Resources")] = shared
    out = io.BytesIO()
    writer.write(out)
    reader = PdfReader(io.BytesIO(assemble([PackPart("Shared", out.getvalue())])))
    assert [f"Page {i + 1} of 3" in p.extract_text() for i, p in enumerate(reader.pages)] == [True] * 3


def test_assemble_rotated_page_is_stamped() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pages(1, "rotated"))))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    pack = assemble([PackPart("Rotated", out.getvalue())])
    with pdfplumber.open(io.BytesIO(pack)) as plumber:
        page = plumber.pages[0]
        marks = [w for w in page.extract_words() if w["text"] == MARKING]
        assert len(marks) == 2
        assert marks[0]["upright"], "the marking reads the right way up on the rotated page"


def test_assemble_empty_is_refused() -> None:
    with pytest.raises(PdfError):
        assemble([PackPart("Nothing")])


def test_assemble_twenty_cases_is_fast() -> None:
    cases = [PackPart(f"Case BAR-2026-{i:04d}", _pages(6, f"case {i}")) for i in range(20)]
    best = min(_timed(lambda: assemble(cases)) for _ in range(3))
    assert best <= 1.0, f"merging 20 x 6 flat pages took {best:.2f} s"


def _timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


@pytest.mark.parametrize("operation", [flatten_form, downsample_scanned,
                                       lambda pdf: assemble([PackPart("x", pdf)])])
def test_unreadable_pdfs_raise_pdf_error(operation: object) -> None:
    for junk in (b"%PDF-1.7\n1 0 obj << /Type /Catalog", b"not a pdf", _pages(1, "x")[:200]):
        with pytest.raises(PdfError):
            operation(junk)  # type: ignore[operator]


def test_password_protected_pdf_is_refused_with_advice() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pages(1, "secret"))))
    writer.encrypt(user_password="open-sesame", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(PdfError, match="password"):
        assemble([PackPart("Locked", out.getvalue())])


def test_owner_only_protection_is_opened() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pages(1, "restricted"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    pack = PdfReader(io.BytesIO(assemble([PackPart("Restricted", out.getvalue())])))
    assert "restricted body 1" in pack.pages[0].extract_text()
