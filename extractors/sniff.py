"""Deciding what an upload is from its bytes, never from its name or declared type.

Only signatures and, for ZIP packages, the entry *names* are looked at: nothing is
inflated or parsed here, so sniffing costs microseconds and is safe on hostile input.
What the file then turns out to contain is :mod:`extractors.safety`'s job.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

from extractors.errors import EmptyFile
from extractors.safezip import MAX_ENTRIES, declared_entry_count

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
UNKNOWN = "application/octet-stream"

#: PDF readers accept the header anywhere in the first 1024 bytes (PDF 32000-1, annex H.3)
PDF_HEADER_WINDOW = 1024

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LOCAL_HEADER = re.compile(re.escape(_ZIP_MAGIC))
#: stream names of an ECMA-376 encrypted package (an encrypted .docx is an OLE container)
_ENCRYPTED_OOXML_STREAMS = ("EncryptionInfo".encode("utf-16-le"),
                            "EncryptedPackage".encode("utf-16-le"))


def sniff_media_type(data: bytes) -> str:
    """The media type the bytes say, or ``application/octet-stream``.

    An OLE container holding an ECMA-376 ``EncryptedPackage`` is reported as DOCX
    (that is what Word writes for a password-protected .docx) so that inspection can
    refuse it as ``encrypted-document`` rather than as an unknown type.
    Raises ``EmptyFile`` for zero bytes.
    """
    if not data:
        raise EmptyFile()
    if data.startswith(_PNG_MAGIC):
        return PNG
    if data.startswith(_JPEG_MAGIC):
        return JPEG
    if data.startswith(_TIFF_MAGICS):
        return TIFF
    if data.startswith(_ZIP_MAGIC):
        return DOCX if is_wordprocessing_zip(data) else UNKNOWN
    if data.startswith(_CFB_MAGIC):
        return DOCX if is_encrypted_ooxml(data) else UNKNOWN
    if pdf_header_offset(data) is not None:
        return PDF
    return UNKNOWN


def pdf_header_offset(data: bytes) -> int | None:
    """Where ``%PDF-`` starts, if within the first 1024 bytes."""
    offset = data.find(b"%PDF-", 0, PDF_HEADER_WINDOW + len(b"%PDF-"))
    return None if offset < 0 or offset > PDF_HEADER_WINDOW else offset


def is_encrypted_ooxml(data: bytes) -> bool:
    """Whether an OLE compound file carries the two streams of an encrypted OOXML package."""
    return data.startswith(_CFB_MAGIC) and all(name in data for name in _ENCRYPTED_OOXML_STREAMS)


def zip_entry_names(data: bytes) -> list[str]:
    """Entry names from the central directory, or from local headers if that is unreadable.

    ``zipfile.ZipFile`` reads only the central directory when opened, inflating
    nothing. A truncated package has no central directory; its local file headers
    still name the parts, so they are read instead (still without inflating), as they
    are for a directory declaring more entries than any Word file has.
    """
    declared = declared_entry_count(data)
    if declared is not None and declared > MAX_ENTRIES:
        return _local_header_names(data)  # too many to build zipfile's objects for
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, KeyError):
        return _local_header_names(data)


def _local_header_names(data: bytes) -> list[str]:
    names: list[str] = []
    for match in _LOCAL_HEADER.finditer(data):
        start = match.start()
        header = data[start + 26:start + 30]
        if len(header) < 4:
            break
        name_len, _extra_len = struct.unpack("<HH", header)
        raw = data[start + 30:start + 30 + name_len]
        if len(raw) == name_len and name_len:
            names.append(raw.decode("utf-8", "replace"))
        if len(names) > MAX_ENTRIES:
            break
    return names


def is_wordprocessing_zip(data: bytes) -> bool:
    """Whether a ZIP's entry names are those of a WordprocessingML package.

    An OPC package has ``[Content_Types].xml``; a Word one keeps its parts under
    ``word/``. Spreadsheets (``xl/``), presentations (``ppt/``) and plain ZIPs fail.
    A macro-enabled .docm passes too: its macros are never run, and inspection flags them.
    """
    names = zip_entry_names(data)
    has_types = "[Content_Types].xml" in names
    has_word = any(name.startswith("word/") and name.endswith(".xml") for name in names)
    return has_types and has_word
