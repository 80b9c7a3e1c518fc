"""Checking an upload is safe to keep and worth reading, before anything is stored.

:func:`inspect_document` runs at upload time on every file. It never renders, never
runs scripts and never decodes page content: it opens the container, counts pages,
notes encryption and active content, and refuses what no reader could or should
touch (damaged beyond repair, zip bombs, XML entities, images past the pixel limit).

Vendor exceptions (pypdf, PDFium, zipfile, lxml, Pillow) are translated here into
:mod:`extractors.errors`; hostile files raise arbitrary exception types inside those
libraries, so the parsing calls are wrapped broadly and only ``MemoryError`` is
singled out (as a resource limit).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pypdfium2
from pypdf import PasswordType, PdfReader
from pypdf.generic import StreamObject

from extractors import images, safezip, sniff
from extractors.base import ExtractionContext, Issue, Severity
from extractors.errors import (
    DamagedDocument,
    EncryptedDocument,
    ResourceLimitExceeded,
    UnsafeDocument,
    UnsupportedMediaType,
)

#: names of PDF actions that run code or send data somewhere (and of the JS name tree / key);
#: their presence is reported, never acted on
_ACTIVE_NAME_BYTES = re.compile(rb"/(?:JavaScript|JS|Launch|SubmitForm|ImportData)(?![A-Za-z0-9#_.-])")
#: object streams inflated to look for actions; more than any form has
_MAX_OBJECT_STREAMS = 2_000
_PDFIUM_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD

ACTIVE_CONTENT_MESSAGE = ("The document contains scripts or automatic actions (JavaScript, launch or "
                          "form submission); mapdocs keeps them inert and never runs them")
MACRO_MESSAGE = "The Word file contains macros or ActiveX controls; mapdocs never runs them"
REPAIRED_MESSAGE = "The document's structure was damaged and has been read in repair mode; check the values"

_WORD_MAIN_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_OFFICE_DOCUMENT_REL = re.compile(r"/officeDocument$")
_XML_PART = re.compile(r"\.(?:xml|rels|vml)$", re.IGNORECASE)


@dataclass
class InspectionReport:
    """What inspection learnt: pages (None when unknown), whether a password is needed, issues."""

    page_count: int | None = None
    encrypted: bool = False
    issues: list[Issue] = field(default_factory=list)

    def add(self, code: str, message: str, severity: Severity = "warning") -> None:
        if not any(issue.code == code for issue in self.issues):
            self.issues.append(Issue(path=None, severity=severity, message=message, code=code))


def inspect_document(data: bytes, media_type: str, ctx: ExtractionContext) -> InspectionReport:
    """Check one upload of a known media type; raise an ``ExtractionError`` to refuse it."""
    try:
        if media_type == sniff.PDF:
            return inspect_pdf(data, ctx)
        if media_type == sniff.DOCX:
            return inspect_docx(data, ctx)
        if media_type in (sniff.PNG, sniff.JPEG, sniff.TIFF):
            return InspectionReport(page_count=images.inspect_image(data, ctx))
    except MemoryError:
        raise ResourceLimitExceeded() from None
    raise UnsupportedMediaType()


# --- PDF ------------------------------------------------------------------------------------------


def inspect_pdf(data: bytes, ctx: ExtractionContext) -> InspectionReport:
    """Open a PDF lazily, note encryption, repair and active content; refuse only the unreadable.

    ``encrypted`` means the pages cannot be read without a user password. PDFium has
    the last word on that: pypdf accepts the empty password for some AES-256 R5 files
    that do need one, and refuses files where only attachments are encrypted. A
    supplied password is tried, but a wrong one is *not* an error here (the extractor
    reports it), so the original is still kept.

    Nothing here resolves the document catalog through pypdf: on a PDF whose objects
    sit in one huge object stream that alone costs pypdf tens of seconds. Pages are
    counted by PDFium, and active content is found by scanning the raw bytes and the
    inflated object streams for the action names, which also finds actions that no
    page references.
    """
    report = InspectionReport()
    if _ACTIVE_NAME_BYTES.search(data):
        report.add("active-content", ACTIVE_CONTENT_MESSAGE)
    reader, repaired = _open_pypdf(data)
    if reader is None:  # pypdf cannot even find the objects: PDFium's repair is the last chance
        status, pages = _pdfium_pages(data, ctx.password)
        if status == "broken":
            raise DamagedDocument()
        report.add("repaired-document", REPAIRED_MESSAGE)
        report.encrypted = status == "password" or (ctx.password is not None and
                                                    _pdfium_pages(data, None)[0] == "password")
        report.page_count = pages
        return report
    if repaired:
        report.add("repaired-document", REPAIRED_MESSAGE)
    pypdf_opens = not reader.is_encrypted or _opens(reader, "")
    status, pages = _pdfium_pages(data, None)
    report.encrypted = status == "password" or (status == "broken" and not pypdf_opens)
    if report.encrypted:
        if not ctx.password:
            return report
        status, pages = _pdfium_pages(data, ctx.password)
        pypdf_opens = _opens(reader, ctx.password)
        if status != "ok" and not pypdf_opens:
            return report  # a wrong password: the extractor says so; the upload is still kept
    if pages is None:
        pages = _pypdf_pages(reader) if pypdf_opens else None
    if not pages:
        raise DamagedDocument("The PDF has no readable pages")
    report.page_count = pages
    if pypdf_opens and _object_streams_active(reader):
        report.add("active-content", ACTIVE_CONTENT_MESSAGE)
    return report


def _open_pypdf(data: bytes) -> tuple[PdfReader | None, bool]:
    """Open strictly, then leniently; the second flag says pypdf had to repair the structure."""
    for strict in (True, False):
        try:
            return PdfReader(io.BytesIO(data), strict=strict), not strict
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001,S112  (hostile input: pypdf raises many types)
            continue
    return None, False


def _opens(reader: PdfReader, password: str) -> bool:
    """Whether ``password`` decrypts the PDF (the empty one opens owner-only protected files)."""
    try:
        return bool(reader.decrypt(password) != PasswordType.NOT_DECRYPTED)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001  (unsupported or malformed encryption: treat as locked)
        return False


def _pdfium_pages(data: bytes, password: str | None) -> tuple[str, int | None]:
    """("ok", pages), ("password", None) or ("broken", None), as PDFium opens the file.

    PDFium counts pages fast, without parsing content, and repairs broken
    cross-reference tables and page trees that pypdf gives up on.
    """
    try:
        document = pypdfium2.PdfDocument(data, password=password)
    except pypdfium2.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PDFIUM_PASSWORD_ERROR:
            return "password", None
        return "broken", None
    try:
        pages = len(document)
    finally:
        document.close()
    return ("ok", pages) if pages > 0 else ("broken", None)


def _pypdf_pages(reader: PdfReader) -> int | None:
    try:
        return len(reader.pages)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001  (a broken page tree: no count)
        return None


def _object_streams_active(reader: PdfReader) -> bool:
    """Scan each inflated object stream (where compressed PDFs keep their dictionaries).

    Only the streams' bytes are searched: no object inside is parsed. pypdf bounds
    how far one stream may inflate; the number of streams looked at is bounded here.
    """
    streams = sorted({stream for stream, _index in reader.xref_objStm.values()})
    for number in streams[:_MAX_OBJECT_STREAMS]:
        try:
            stream = reader.get_object(number)
            payload = stream.get_data() if isinstance(stream, StreamObject) else b""
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001,S112  (a broken stream hides nothing readable)
            continue
        if _ACTIVE_NAME_BYTES.search(payload):
            return True
    return False


# --- DOCX -----------------------------------------------------------------------------------------


def inspect_docx(data: bytes, ctx: ExtractionContext) -> InspectionReport:
    """Refuse encrypted, bombed or entity-bearing Word files; check the main part parses.

    Every XML part is inflated (within the package budget) and scanned for a DTD; only
    the main document part is fully parsed here. Media parts are never inflated: their
    declared sizes were already bounded by :func:`extractors.safezip.open_docx`.
    """
    if sniff.is_encrypted_ooxml(data):
        raise EncryptedDocument("The Word file is password-protected; mapdocs cannot open protected "
                                "Word files, so save a copy without a password and upload that")
    report = InspectionReport()
    with safezip.open_docx(data, ctx) as package:
        names = package.names()
        content_types = _read_content_types(package)
        main = _main_part(package, names)
        main_type = content_types.get("/" + main, "")
        if main_type and main_type not in _WORD_MAIN_TYPES:
            raise UnsupportedMediaType("The file is an Office package but not a Word document")
        for name in names:
            if (_is_xml_part(name, content_types) and name != main
                    and safezip.has_dtd(package.read(name))):
                raise UnsafeDocument(safezip.DTD_MESSAGE)
        safezip.parse_xml(package.read(main))
        if any(name.lower().endswith("vbaproject.bin") or name.startswith("word/activeX/")
               for name in names):
            report.add("active-content", MACRO_MESSAGE)
    return report  # page_count stays None: Word decides pagination when it lays the file out


def _read_content_types(package: safezip.DocxPackage) -> dict[str, str]:
    """``[Content_Types].xml`` as part name (or ``*.ext``) -> content type; {} when absent."""
    if "[Content_Types].xml" not in package:
        return {}
    root = safezip.parse_xml(package.read("[Content_Types].xml"))
    types: dict[str, str] = {}
    for element in root:
        tag = str(element.tag).rsplit("}", 1)[-1]
        if tag == "Override":
            types[str(element.get("PartName", ""))] = str(element.get("ContentType", ""))
        elif tag == "Default":
            types["*." + str(element.get("Extension", "")).lower()] = str(element.get("ContentType", ""))
    return types


def _main_part(package: safezip.DocxPackage, names: list[str]) -> str:
    """The officeDocument part named by ``_rels/.rels``, else ``word/document.xml``."""
    candidate = "word/document.xml"
    if "_rels/.rels" in package:
        rels = safezip.parse_xml(package.read("_rels/.rels"))
        for rel in rels:
            if (_OFFICE_DOCUMENT_REL.search(str(rel.get("Type", "")))
                    and rel.get("TargetMode") != "External"):
                candidate = str(rel.get("Target", "")).lstrip("/")
                break
    if candidate not in names:
        raise DamagedDocument("The Word file has no main document part")
    return candidate


def _is_xml_part(name: str, content_types: dict[str, str]) -> bool:
    declared = content_types.get("/" + name) or content_types.get(
        "*." + name.rsplit(".", 1)[-1].lower(), "")
    return bool(_XML_PART.search(name)) or "xml" in declared
