"""Upload-time inspection: what is refused, what is accepted with an issue, and what is noted."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from extractors import pipeline, sniff
from extractors.base import ExtractionContext
from extractors.errors import (
    DamagedDocument,
    EncryptedDocument,
    ExtractionError,
    ResourceLimitExceeded,
    UnsafeDocument,
    UnsupportedMediaType,
)
from extractors.safety import InspectionReport, inspect_document

CTX = ExtractionContext()
W_NS = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCUMENT = b"<w:document " + W_NS + b"><w:body><w:p><w:r><w:t>Hi</w:t></w:r></w:p></w:body></w:document>"
CONTENT_TYPES = (
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="%s"/></Types>')
WORD_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument"/></Relationships>')


def pdf(pages: int = 1, *, js: bool = False, launch: bool = False, user_password: str | None = None,
        owner_password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if js:
        script = TextStringObject("app.alert(1);")
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): script})
    if launch:
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                   NameObject("/F"): TextStringObject("calc.exe")})
        annotation = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(10),
                                              NumberObject(10)]),
            NameObject("/A"): action})
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    if user_password is not None:
        writer.encrypt(user_password, owner_password, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def docx(parts: dict[str, bytes] | None = None, *, main_type: bytes = WORD_MAIN) -> bytes:
    package = {"[Content_Types].xml": CONTENT_TYPES % main_type, "_rels/.rels": RELS,
               "word/document.xml": DOCUMENT, **(parts or {})}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in package.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def codes(report: InspectionReport) -> list[str]:
    return [issue.code for issue in report.issues]


# --- PDF ---


def test_plain_pdf_is_accepted_with_its_page_count() -> None:
    report = inspect_document(pdf(3), sniff.PDF, CTX)
    assert (report.page_count, report.encrypted, report.issues) == (3, False, [])


@pytest.mark.parametrize(("js", "launch"), [(True, False), (False, True)])
def test_active_content_is_accepted_with_a_warning(js: bool, launch: bool) -> None:
    report = inspect_document(pdf(js=js, launch=launch), sniff.PDF, CTX)
    [issue] = report.issues
    assert (issue.code, issue.severity, issue.path) == ("active-content", "warning", None)
    assert "never runs" in issue.message
    assert report.page_count == 1


def test_encrypted_pdf_is_accepted_as_encrypted_without_a_page_count() -> None:
    report = inspect_document(pdf(2, user_password="s3cret"), sniff.PDF, CTX)
    assert (report.encrypted, report.page_count) == (True, None)


def test_right_password_opens_it_and_wrong_password_is_not_an_upload_error() -> None:
    data = pdf(2, user_password="s3cret")
    right = inspect_document(data, sniff.PDF, ExtractionContext(password="s3cret"))
    assert (right.encrypted, right.page_count) == (True, 2)
    wrong = inspect_document(data, sniff.PDF, ExtractionContext(password="nope"))
    assert (wrong.encrypted, wrong.page_count) == (True, None)


def test_owner_password_only_is_not_encrypted_for_reading() -> None:
    report = inspect_document(pdf(1, user_password="", owner_password="owner"), sniff.PDF, CTX)
    assert (report.encrypted, report.page_count) == (False, 1)


def test_broken_xref_is_repaired_with_an_issue() -> None:
    data = pdf(2)
    offset = data.rindex(b"startxref") + len(b"startxref\n")
    broken = data[:offset] + b"999" + data[offset:].lstrip(b"0123456789")
    report = inspect_document(broken, sniff.PDF, CTX)
    assert report.page_count == 2
    assert codes(report) == ["repaired-document"]
    assert report.issues[0].severity == "warning"


@pytest.mark.parametrize("data", [b"%PDF-1.7\n", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog",
                                  b"%PDF-" + bytes(500)])
def test_unrepairable_pdf_is_damaged(data: bytes) -> None:
    with pytest.raises(DamagedDocument):
        inspect_document(data, sniff.PDF, CTX)


# --- DOCX ---


def test_minimal_word_file_is_accepted() -> None:
    report = inspect_document(docx(), sniff.DOCX, CTX)
    assert (report.page_count, report.encrypted, report.issues) == (None, False, [])


def test_entity_in_a_secondary_part_is_unsafe() -> None:
    styles = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "file:///etc/passwd">]><s>&e;</s>'
    with pytest.raises(UnsafeDocument):
        inspect_document(docx({"word/styles.xml": styles}), sniff.DOCX, CTX)


def test_malformed_main_part_is_damaged() -> None:
    with pytest.raises(DamagedDocument):
        inspect_document(docx({"word/document.xml": b"<w:document><unclosed>"}), sniff.DOCX, CTX)


def test_missing_main_part_is_damaged() -> None:
    data = docx()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info, source.read(info))
        target.writestr("word/styles.xml", b"<s/>")
    with pytest.raises(DamagedDocument):
        inspect_document(buffer.getvalue(), sniff.DOCX, CTX)


def test_office_package_that_is_not_word_is_unsupported() -> None:
    sheet = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    with pytest.raises(UnsupportedMediaType):
        inspect_document(docx(main_type=sheet), sniff.DOCX, CTX)


def test_macros_are_noted_never_run() -> None:
    macro = b"application/vnd.ms-word.document.macroEnabled.main+xml"
    report = inspect_document(docx({"word/vbaProject.bin": b"\x00" * 64}, main_type=macro), sniff.DOCX, CTX)
    assert codes(report) == ["active-content"]


def test_encrypted_word_file_is_an_encrypted_document() -> None:
    ole = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le")
           + "EncryptedPackage".encode("utf-16-le"))
    with pytest.raises(EncryptedDocument) as raised:
        inspect_document(ole, sniff.DOCX, CTX)
    assert raised.value.slug == "encrypted-document"


# --- images and others ---


def test_image_reports_frames() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10)).save(buffer, "PNG")
    assert inspect_document(buffer.getvalue(), sniff.PNG, CTX).page_count == 1


def test_image_over_the_pixel_limit_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("L", (100, 100)).save(buffer, "PNG")
    with pytest.raises(ResourceLimitExceeded):
        inspect_document(buffer.getvalue(), sniff.PNG, ExtractionContext(max_image_pixels=9_999))


def test_unknown_media_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedMediaType):
        inspect_document(b"GIF89a", "image/gif", CTX)


# --- corpus ---


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["pdfjs__js-buttons.pdf", "samplefiles__pdflatex-forms.pdf"])
def test_actions_inside_compressed_object_streams_are_found(shared_dir: Path, name: str) -> None:
    path = shared_dir / "corpus" / "realworld" / name
    if not path.exists():
        pytest.skip(f"{name} not in this corpus")
    data = path.read_bytes()
    assert b"/JavaScript" not in data and b"/JS" not in data  # only visible once inflated
    assert "active-content" in codes(inspect_document(data, sniff.PDF, CTX))


@pytest.mark.corpus
def test_huge_object_stream_does_not_stall_inspection(shared_dir: Path) -> None:
    """pypdf needs ~12 s to resolve this file's catalog; inspection must not touch it."""
    path = shared_dir / "corpus" / "realworld" / "pdfjs__bug1978317.pdf"
    if not path.exists():
        pytest.skip("file not in this corpus")
    started = time.process_time()
    report = inspect_document(path.read_bytes(), sniff.PDF, CTX)
    assert report.page_count == 1
    assert time.process_time() - started < 5  # CPU seconds; the catalog walk alone costs 12+


# --- mutations: whatever the bytes, inspection answers with an ExtractionError or a report ---



def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, fmt)
    return buffer.getvalue()


SEEDS = {"pdf": pdf(2, js=True), "encrypted-pdf": pdf(1, user_password="pw"), "docx": docx(),
         "png": image("PNG"), "jpeg": image("JPEG"), "tiff": image("TIFF")}


@settings(max_examples=int(os.environ.get("MAPDOCS_FUZZ_EXAMPLES", "60")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_mutated_files_never_escape_as_vendor_exceptions(seed: str, data: st.DataObject) -> None:
    original = bytearray(SEEDS[seed])
    for _ in range(data.draw(st.integers(1, 8), label="mutations")):
        at = data.draw(st.integers(0, len(original) - 1), label="offset")
        original[at] = data.draw(st.integers(0, 255), label="byte")
    cut = data.draw(st.integers(1, len(original)), label="length")
    mutated = bytes(original[:cut])
    try:
        report = pipeline.inspect(mutated, CTX)
    except ExtractionError:
        return
    assert report.page_count is None or report.page_count >= 1
