"""The media type comes from magic bytes and ZIP entry names, never from names or by inflating."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from extractors import sniff
from extractors.errors import EmptyFile


def make_zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in parts.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


WORD_PARTS = {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
              "word/document.xml": b"<w:document/>" * 50}


def test_empty_file_is_refused() -> None:
    with pytest.raises(EmptyFile):
        sniff.sniff_media_type(b"")


@pytest.mark.parametrize(("data", "expected"), [
    (b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", sniff.PDF),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", sniff.PNG),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", sniff.JPEG),
    (b"II*\x00\x08\x00\x00\x00", sniff.TIFF),
    (b"MM\x00*\x00\x00\x00\x08", sniff.TIFF),
    (b"II+\x00\x08\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00", sniff.TIFF),  # BigTIFF
    (b"GIF89a\x20\x00\x20\x00", sniff.UNKNOWN),
    (b"oops\n", sniff.UNKNOWN),
    (b"{\\rtf1\\ansi", sniff.UNKNOWN),
])
def test_signatures(data: bytes, expected: str) -> None:
    assert sniff.sniff_media_type(data) == expected


def test_pdf_header_after_leading_junk_within_1024_bytes() -> None:
    assert sniff.sniff_media_type(b"x" * 1000 + b"%PDF-1.4\n") == sniff.PDF
    assert sniff.sniff_media_type(b"x" * 1025 + b"%PDF-1.4\n") == sniff.UNKNOWN


def test_word_package_is_docx() -> None:
    assert sniff.sniff_media_type(make_zip(WORD_PARTS)) == sniff.DOCX


@pytest.mark.parametrize("parts", [
    {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"},  # a spreadsheet
    {"readme.txt": b"hello", "word/document.xml": b"<w:document/>"},  # no content types
    {"[Content_Types].xml": b"<Types/>", "word/media/image1.png": b"\x89PNG"},  # no Word XML
])
def test_other_zips_are_not_docx(parts: dict[str, bytes]) -> None:
    assert sniff.sniff_media_type(make_zip(parts)) == sniff.UNKNOWN


def test_sniffing_never_inflates() -> None:
    """Corrupt deflate data would raise if inflated; sniffing must still answer from the names."""
    data = bytearray(make_zip(WORD_PARTS))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offsets = [info.header_offset for info in archive.infolist()]
    for header in offsets:
        name_len, extra_len = struct.unpack("<HH", data[header + 26:header + 30])
        start = header + 30 + name_len + extra_len
        data[start:start + 1] = b"\x07"  # deflate block type 3: invalid
    with pytest.raises(zlib.error), zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        archive.read("word/document.xml")
    assert sniff.sniff_media_type(bytes(data)) == sniff.DOCX


def test_truncated_word_package_is_still_docx_from_local_headers() -> None:
    data = make_zip(WORD_PARTS)
    truncated = data[: data.rfind(b"PK\x01\x02") - 5]  # central directory gone
    assert sniff.zip_entry_names(truncated)[:1] == ["[Content_Types].xml"]
    assert sniff.sniff_media_type(truncated) == sniff.DOCX


def test_encrypted_word_file_in_ole_container_is_docx() -> None:
    ole = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
           + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
           + "EncryptedPackage".encode("utf-16-le"))
    assert sniff.sniff_media_type(ole) == sniff.DOCX
    assert sniff.is_encrypted_ooxml(ole)


def test_legacy_ole_word_file_is_unsupported() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le")
    assert sniff.sniff_media_type(ole) == sniff.UNKNOWN


@pytest.mark.corpus
def test_renamed_image_is_sniffed_by_its_bytes(shared_dir: Path) -> None:
    data = (shared_dir / "corpus" / "bad" / "image_renamed.pdf").read_bytes()
    assert sniff.sniff_media_type(data) == sniff.PNG


def test_zip_declaring_a_huge_directory_is_sniffed_from_local_headers() -> None:
    data = bytearray(make_zip(WORD_PARTS))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = struct.pack("<HH", 60_000, 60_000)
    assert sniff.sniff_media_type(bytes(data)) == sniff.DOCX
