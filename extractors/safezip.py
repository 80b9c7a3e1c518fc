"""Opening a Word package without letting it explode, and parsing its XML without entities.

A DOCX is a ZIP of XML parts. Two classic attacks live there: a zip bomb (a small
file that inflates to gigabytes) and XML entities (``<!ENTITY x SYSTEM "file:///...">``
or billion-laughs expansion). Every reader of Word files goes through this module:

* :func:`open_docx` reads only the ZIP central directory and refuses a package whose
  declared sizes or compression ratios are absurd, before anything is inflated;
* :meth:`DocxPackage.read` inflates one part in small chunks, stopping at a hard cap
  (per call and across the whole package), because a ZIP's size headers may lie;
* :func:`parse_xml` refuses any DOCTYPE outright (WordprocessingML never needs one)
  and parses with entity resolution, DTD loading and network access all off.

Errors are always :class:`~extractors.errors.ExtractionError` subclasses; ``zipfile``
and ``lxml`` exceptions never escape.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from lxml import etree

from extractors.base import ExtractionContext
from extractors.errors import DamagedDocument, UnsafeDocument, UnsupportedMediaType

#: more entries than any real Word file has; a ZIP with more is a resource attack
MAX_ENTRIES = 5_000
#: inflated/compressed above this (for parts past the grace size) is a bomb, as in Apache POI
MAX_RATIO = 200
#: parts smaller than this are not ratio-checked (tiny XML parts compress very well)
RATIO_GRACE_BYTES = 1024 * 1024
#: read() inflates this much per step, so a lying header costs at most one chunk past the cap
_CHUNK = 64 * 1024
#: ZIP methods Word writes; others (bzip2, lzma, deflate64) are refused rather than trusted
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}

DTD_MESSAGE = "The Word file declares XML entities, which mapdocs refuses"

_XML_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_blank_text": False,
}

# a DOCTYPE / ENTITY declaration in UTF-8 or either UTF-16 byte order
_DTD_MARKERS = re.compile(
    rb"<!(?:DOCTYPE|ENTITY)|<\x00!\x00(?:D\x00O\x00C\x00|E\x00N\x00T\x00)"
    rb"|\x00<\x00!\x00(?:D\x00O\x00C|E\x00N\x00T)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PartInfo:
    """What the central directory declares about one part (nothing inflated)."""

    name: str
    declared_size: int
    compressed_size: int


class DocxPackage:
    """A DOCX's parts, read lazily and under a budget.

    ``budget`` is the number of inflated bytes all :meth:`read` calls together may
    produce; it starts at ``ctx.max_inflated_bytes``.
    """

    def __init__(self, archive: zipfile.ZipFile, ctx: ExtractionContext) -> None:
        self._zip = archive
        self._ctx = ctx
        self._infos = {info.filename: info for info in archive.infolist()}
        self.budget = ctx.max_inflated_bytes

    def names(self) -> list[str]:
        """Part names in central-directory order (directories excluded)."""
        return [name for name, info in self._infos.items() if not info.is_dir()]

    def info(self, name: str) -> PartInfo:
        zinfo = self._infos[name]
        return PartInfo(name, zinfo.file_size, zinfo.compress_size)

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def read(self, name: str, limit: int | None = None) -> bytes:
        """Inflate one part, at most ``limit`` bytes (default: the part cap).

        Raises ``KeyError`` for a missing part, ``UnsafeDocument`` when the part
        inflates past the cap or the package budget or at a bomb's ratio, and
        ``DamagedDocument`` when the compressed data is corrupt.
        """
        zinfo = self._infos[name]
        cap = min(self._ctx.max_inflated_bytes, self.budget)
        if limit is not None:
            cap = min(cap, limit)
        out = io.BytesIO()
        try:
            with self._zip.open(zinfo) as stream:
                while True:
                    chunk = stream.read(_CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    size = out.tell()
                    if size > cap:
                        raise UnsafeDocument("A part of the Word file inflates beyond the allowed size")
                    consumed = max(1, zinfo.compress_size)
                    if size > RATIO_GRACE_BYTES and size / consumed > MAX_RATIO:
                        raise UnsafeDocument("A part of the Word file is compressed like a zip bomb")
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise DamagedDocument("A part of the Word file is corrupt") from exc
        except NotImplementedError as exc:
            raise UnsupportedMediaType("The Word file uses an unsupported ZIP compression") from exc
        data = out.getvalue()
        self.budget -= len(data)
        return data

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> DocxPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def declared_entry_count(data: bytes) -> int | None:
    """Entries the end-of-central-directory record declares (ZIP64 too), None if not found.

    Read before ``zipfile`` builds one object per entry, so that a directory of
    millions of tiny entries costs nothing to refuse.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return None
    (count,) = struct.unpack("<H", data[end + 10:end + 12])
    if count != 0xFFFF:
        return int(count)
    locator = end - 20
    if locator < 0 or data[locator:locator + 4] != b"PK\x06\x07":
        return None
    (record,) = struct.unpack("<Q", data[locator + 8:locator + 16])
    if data[record:record + 4] != b"PK\x06\x06" or len(data) < record + 40:
        return None
    (count64,) = struct.unpack("<Q", data[record + 32:record + 40])
    return int(count64)


def open_docx(data: bytes, ctx: ExtractionContext) -> DocxPackage:
    """Open a DOCX from its central directory and refuse a bomb before inflating anything.

    Only the central directory is read here. Raises ``DamagedDocument`` for a ZIP that
    does not open, ``UnsafeDocument`` for declared sizes/ratios/entry counts beyond
    the limits, ``UnsupportedMediaType`` for encrypted entries or exotic compression.
    """
    declared = declared_entry_count(data)
    if declared is not None and declared > MAX_ENTRIES:
        raise UnsafeDocument("The Word file has an implausible number of parts")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise DamagedDocument("The Word file is not a readable ZIP package") from exc
    try:
        check_directory(archive.infolist(), ctx)
    except Exception:
        archive.close()
        raise
    return DocxPackage(archive, ctx)


def check_directory(infos: list[zipfile.ZipInfo], ctx: ExtractionContext) -> None:
    """Refuse a central directory that declares a bomb or something Word never writes."""
    if len(infos) > MAX_ENTRIES:
        raise UnsafeDocument("The Word file has an implausible number of parts")
    seen: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in seen:
            # two parts with one name: readers disagree on which wins, so refuse
            raise UnsafeDocument("The Word file has two parts with the same name")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise UnsupportedMediaType("The Word file's ZIP entries are password-protected")
        if info.compress_type not in _METHODS:
            raise UnsupportedMediaType("The Word file uses an unsupported ZIP compression")
        total += info.file_size
        if info.file_size > ctx.max_inflated_bytes or total > ctx.max_inflated_bytes:
            raise UnsafeDocument("The Word file declares more inflated data than allowed")
        if (info.file_size > RATIO_GRACE_BYTES
                and info.file_size / max(1, info.compress_size) > MAX_RATIO):
            raise UnsafeDocument("A part of the Word file is compressed like a zip bomb")


def has_dtd(data: bytes) -> bool:
    """Whether an XML part carries a DOCTYPE or ENTITY declaration (any common encoding)."""
    return _DTD_MARKERS.search(data) is not None


def parse_xml(data: bytes) -> Any:
    """Parse one XML part into an lxml element (ElementTree API), refusing any DTD.

    Returns the root ``lxml.etree._Element``. Raises ``UnsafeDocument`` for a
    DOCTYPE/ENTITY declaration and ``DamagedDocument`` for XML that does not parse.
    Entities are never resolved and nothing is fetched, even if the byte scan missed
    an exotic encoding: the parsed tree's DOCTYPE is checked again.
    """
    if has_dtd(data):
        raise UnsafeDocument(DTD_MESSAGE)
    parser = etree.XMLParser(**_XML_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise DamagedDocument("The Word file contains XML that does not parse") from exc
    if root is None:
        raise DamagedDocument("The Word file contains an empty XML part")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeDocument(DTD_MESSAGE)
    return root
