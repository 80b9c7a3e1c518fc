"""Word packages open without exploding and their XML parses without entities."""

from __future__ import annotations

import io
import struct
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from extractors import safezip
from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, UnsafeDocument, UnsupportedMediaType

MIB = 1024 * 1024
CTX = ExtractionContext()
DOCUMENT = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b"<w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>")


def make_zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, payload in parts.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def set_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Make the central directory (and local header) lie about a part's inflated size."""
    out = bytearray(data)
    encoded = name.encode()
    central = out.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack("<H", out[central + 28:central + 30])[0]
        if out[central + 46:central + 46 + name_len] == encoded:
            out[central + 24:central + 28] = struct.pack("<I", size)
            local = struct.unpack("<I", out[central + 42:central + 46])[0]
            out[local + 22:local + 26] = struct.pack("<I", size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def test_names_and_read() -> None:
    with safezip.open_docx(make_zip({"word/document.xml": DOCUMENT, "word/": b""}), CTX) as package:
        assert package.names() == ["word/document.xml"]
        assert "word/document.xml" in package
        assert package.read("word/document.xml") == DOCUMENT
        with pytest.raises(KeyError):
            package.read("word/missing.xml")


def test_declared_bomb_is_refused_before_inflating() -> None:
    ctx = ExtractionContext(max_inflated_bytes=1 * MIB)
    data = make_zip({"word/document.xml": DOCUMENT, "word/media/zeros.bin": bytes(4 * MIB)})
    with pytest.raises(UnsafeDocument):
        safezip.open_docx(data, ctx)


def test_declared_total_over_budget_is_refused() -> None:
    ctx = ExtractionContext(max_inflated_bytes=1 * MIB)
    parts = {f"word/part{index}.xml": bytes(range(256)) * 1200 for index in range(4)}  # 300 KB each
    with pytest.raises(UnsafeDocument):
        safezip.open_docx(make_zip(parts), ctx)


def test_bomb_ratio_is_refused_even_under_the_size_limit() -> None:
    data = make_zip({"word/document.xml": DOCUMENT, "word/media/zeros.bin": bytes(8 * MIB)})
    with pytest.raises(UnsafeDocument, match="zip bomb"):
        safezip.open_docx(data, CTX)


def test_lying_header_stops_inflation_at_the_declared_size() -> None:
    """Headers declare 1 KB but the part inflates to 16 MB: at most about a chunk is inflated."""
    data = set_declared_size(make_zip({"word/document.xml": bytes(16 * MIB)}), "word/document.xml", 1024)
    with safezip.open_docx(data, CTX) as package:
        tracemalloc.start()
        try:
            with pytest.raises((DamagedDocument, UnsafeDocument)):
                package.read("word/document.xml")
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 2 * MIB


def test_read_cap_and_package_budget() -> None:
    ctx = ExtractionContext(max_inflated_bytes=1 * MIB)
    part = bytes(range(256)) * 1600  # 400 KB, incompressible enough to pass the ratio check
    data = make_zip({"word/a.xml": part, "word/b.xml": part})
    with safezip.open_docx(data, ctx) as package:
        with pytest.raises(UnsafeDocument):
            package.read("word/a.xml", limit=1000)
        assert package.read("word/a.xml") == part
        assert package.read("word/b.xml") == part
        assert package.budget == 1 * MIB - 2 * len(part)
        with pytest.raises(UnsafeDocument):
            package.read("word/a.xml")  # a third read would pass the package's inflation budget


def test_not_a_zip_is_damaged() -> None:
    with pytest.raises(DamagedDocument):
        safezip.open_docx(b"PK\x03\x04 this is not really a zip", CTX)


def test_corrupt_part_is_damaged() -> None:
    data = bytearray(make_zip({"word/document.xml": DOCUMENT * 20}))
    name_len, extra_len = struct.unpack("<HH", data[26:30])
    data[30 + name_len + extra_len] = 0x07  # invalid deflate block type
    with safezip.open_docx(bytes(data), CTX) as package, pytest.raises(DamagedDocument):
        package.read("word/document.xml")


def test_too_many_entries_is_unsafe() -> None:
    parts = {f"word/p{index}.xml": b"" for index in range(safezip.MAX_ENTRIES + 1)}
    with pytest.raises(UnsafeDocument):
        safezip.open_docx(make_zip(parts, zipfile.ZIP_STORED), CTX)


def test_duplicate_part_names_are_unsafe() -> None:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate we want
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", DOCUMENT)
            archive.writestr("word/document.xml", b"<other/>")
    with pytest.raises(UnsafeDocument):
        safezip.open_docx(buffer.getvalue(), CTX)


def test_password_protected_zip_entries_are_unsupported() -> None:
    data = bytearray(make_zip({"word/document.xml": DOCUMENT}))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x01  # general purpose flag bit 0: encrypted
    data[6] |= 0x01
    with pytest.raises(UnsupportedMediaType):
        safezip.open_docx(bytes(data), CTX)


def test_parse_xml_returns_an_element() -> None:
    root = safezip.parse_xml(DOCUMENT)
    namespace = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert root.tag == namespace + "document"
    assert [t.text for t in root.iter(namespace + "t")] == ["Hello"]


def test_external_entity_is_refused_and_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MARKER-not-to-be-read")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>'
           "<d>&x;</d>").encode()
    with pytest.raises(UnsafeDocument) as raised:
        safezip.parse_xml(xxe)
    assert "MARKER" not in str(raised.value)


@pytest.mark.parametrize("xml", [
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
    b"<?xml version='1.0'?>\n<!doctype d SYSTEM 'http://example.invalid/d.dtd'><d/>",
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>'.encode("utf-16"),
    '<?xml version="1.0" encoding="UTF-16BE"?><!DOCTYPE d><d/>'.encode("utf-16-be"),
])
def test_any_dtd_is_refused(xml: bytes) -> None:
    with pytest.raises(UnsafeDocument):
        safezip.parse_xml(xml)


@pytest.mark.parametrize("xml", [b"<d><unclosed></d>", b"", b"\x00\x01\x02"])
def test_malformed_xml_is_damaged(xml: bytes) -> None:
    with pytest.raises(DamagedDocument):
        safezip.parse_xml(xml)


@pytest.mark.corpus
def test_corpus_zip_bomb_is_refused_from_the_directory_alone(shared_dir: Path) -> None:
    data = (shared_dir / "corpus" / "bad" / "zipbomb.docx").read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeDocument):
            safezip.open_docx(data, CTX)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB  # the 1 GiB part was never inflated


def test_entry_count_is_read_from_the_end_record() -> None:
    assert safezip.declared_entry_count(make_zip({"a": b"1", "b": b"2", "c": b"3"})) == 3
    assert safezip.declared_entry_count(b"no zip here") is None


def test_huge_declared_directory_is_refused_before_parsing_it() -> None:
    data = bytearray(make_zip({"word/document.xml": DOCUMENT}))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8:end + 12] = struct.pack("<HH", 60_000, 60_000)  # claims 60 000 entries
    with pytest.raises(UnsafeDocument):
        safezip.open_docx(bytes(data), CTX)
