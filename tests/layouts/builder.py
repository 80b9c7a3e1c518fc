"""Shared pieces of the held-out layout generators (``make_layout_*.py``).

Each generator only describes its form: the record it was filled from and the order of
its sections. Building Word documents, printing them to PDF with LibreOffice and writing
the truth file are the same for every layout, so they live here once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
ON, OFF = "\u2612", "\u2610"


@dataclass(frozen=True)
class LayoutFiles:
    """Where one layout's Word file, its PDF print and its truth record live."""

    name: str

    @property
    def docx(self) -> Path:
        return HERE / f"layout_{self.name}.docx"

    @property
    def pdf(self) -> Path:
        return HERE / f"layout_{self.name}.pdf"

    @property
    def truth(self) -> Path:
        return HERE / f"layout_{self.name}.truth.json"


def new_document(font: str = "Calibri", size: float = 10, margin_cm: float = 2.0,
                 header: str | None = None, footer: str | None = None) -> Any:
    """An A4 Word document with the given body font, margins and running header/footer."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = font
    normal.font.size = Pt(size)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    if header:
        section.header.paragraphs[0].add_run(header).bold = True
    if footer:
        section.footer.paragraphs[0].add_run(footer)
    return doc


def title(doc: Any, text: str, size: float = 16) -> None:
    """A centred bold title block (council name, form name)."""
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(size)


def heading(doc: Any, text: str, size: float = 12, upper: bool = False) -> None:
    """A section heading typed as a bold paragraph, as most council forms do."""
    run = doc.add_paragraph().add_run(text.upper() if upper else text)
    run.bold = True
    run.font.size = Pt(size)


def bold_line(doc: Any, text: str) -> None:
    """A bold label on its own line (over a box, a list or a paragraph)."""
    doc.add_paragraph().add_run(text).bold = True


def table(doc: Any, rows: list[list[str]], bold_first_row: bool = False,
          bold_columns: tuple[int, ...] = ()) -> Any:
    """A ruled table; each line of a value becomes its own paragraph in the cell."""
    grid = doc.add_table(rows=len(rows), cols=len(rows[0]))
    grid.style = "Table Grid"
    for r, (row, values) in enumerate(zip(grid.rows, rows, strict=True)):
        for c, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            lines = text.split("\n")
            cell.paragraphs[0].add_run(lines[0]).bold = (bold_first_row and r == 0) or c in bold_columns
            for line in lines[1:]:
                cell.add_paragraph(line)
    return grid


def box(doc: Any, label: str, text: str) -> None:
    """A bold label over a one-cell free-text box."""
    bold_line(doc, label)
    table(doc, [[text]])


def ticks(options: list[tuple[str, bool]]) -> str:
    """Tick-box options on one line, ticked or not."""
    return "   ".join(f"{ON if on else OFF} {label}" for label, on in options)


def print_to_pdf(docx: Path, pdf: Path) -> None:
    """Print the Word file to PDF with LibreOffice, as a council's staff would."""
    soffice = shutil.which("soffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to print the layout to PDF")
    with tempfile.TemporaryDirectory() as work:
        profile = Path(work) / "profile"
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", work, str(docx)],
                       check=True, timeout=180, capture_output=True)
        shutil.copyfile(Path(work) / (docx.stem + ".pdf"), pdf)


def write_layout(files: LayoutFiles, build_docx: Callable[[Path], None],
                 truth_record: dict[str, Any]) -> None:
    """Rewrite a layout's Word file, PDF print and truth record."""
    build_docx(files.docx)
    print_to_pdf(files.docx, files.pdf)
    files.truth.write_text(json.dumps(truth_record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in (files.docx, files.pdf, files.truth):
        print(path.name)
