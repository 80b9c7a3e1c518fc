"""The intermediate model every source format is turned into before it is read.

Digital PDFs, AcroForm PDFs, Word files and (later) OCR'd scans all become a
``Layout``: an ordered list of ``Row`` objects, each a list of ``Cell`` objects whose
text keeps its line breaks (one list item per line/bullet) and whose checkbox
options are explicit ``Mark`` objects. The label/section reader
(:mod:`extractors.reader`) is written once against this model.

Provenance is either a box on a PDF page (points from the top-left) or a position in
a Word file's XML; both serialise to the shapes fixed by the foundation issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class PdfLocation:
    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float

    def to_json(self) -> dict[str, object]:
        return {"page": self.page, "bbox": [round(self.x0, 1), round(self.top, 1),
                                             round(self.x1, 1), round(self.bottom, 1)]}

    def union(self, other: PdfLocation) -> PdfLocation:
        if other.page != self.page:
            return self
        return PdfLocation(self.page, min(self.x0, other.x0), min(self.top, other.top),
                           max(self.x1, other.x1), max(self.bottom, other.bottom))


@dataclass(frozen=True)
class DocxLocation:
    part: str  # e.g. "word/document.xml"
    table: int | None = None  # index of the table in the body, 0-based
    row: int | None = None
    cell: int | None = None
    paragraph: int | None = None  # body paragraph index, or paragraph index within the cell

    def to_json(self) -> dict[str, object]:
        return {"part": self.part, "table": self.table, "row": self.row, "cell": self.cell,
                "paragraph": self.paragraph}


Location = PdfLocation | DocxLocation


@dataclass
class Mark:
    """One checkbox option: the text beside it and whether it is ticked.

    ``checked`` is None when the mark cannot be decided (unclear scan); ``confidence``
    says how sure the source format is (1.0 for a digital checkbox state).
    """

    label: str
    checked: bool | None
    confidence: float = 1.0
    location: Location | None = None


@dataclass
class Cell:
    """A table cell, a paragraph, or a run of text between gaps on a printed line."""

    lines: list[str]
    marks: list[Mark] = field(default_factory=list)
    location: Location | None = None
    confidence: float = 1.0  # lowest word confidence (OCR); 1.0 for digital text
    #: set when the cell is a filled AcroForm widget or content control, so the reader
    #: knows this is an answer, not a printed label
    is_input: bool = False
    #: the AcroForm field / content-control tag, when the source has one
    field_name: str | None = None

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines if line.strip())


RowKind = Literal["table", "text", "heading"]


@dataclass
class Row:
    cells: list[Cell]
    kind: RowKind = "text"
    #: index of the table (Word) or ruled block (PDF) the row belongs to; None for free text
    table: int | None = None

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)


@dataclass
class Layout:
    """A whole document in reading order."""

    rows: list[Row]
    page_count: int = 1
    #: values of fields whose names we know exactly (our own templates), keyed by field name
    named_fields: dict[str, str | bool | None] = field(default_factory=dict)
    named_locations: dict[str, Location] = field(default_factory=dict)
    source_format: str = ""  # "docx", "pdf-text", "pdf-acroform", "ocr"

    def text(self) -> str:
        return "\n".join(r.text for r in self.rows)
