"""Small synthetic PDFs and page-words for the PDF extractor tests (reportlab + pypdf).

Nothing here reads the corpus: every fixture is drawn from scratch so a test says
exactly which layout feature it exercises.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from extractors.words import Box, PageWords, Rect, Word

PAGE_W, PAGE_H = A4


def pdf_bytes(*pages: Callable[[Canvas], None]) -> bytes:
    """A PDF with one page per drawing function; coordinates in the functions are
    reportlab's (bottom-left origin)."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4)
    for draw in pages:
        draw(canvas)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def top(y_from_top: float) -> float:
    """Reportlab y for a baseline ``y_from_top`` points below the top edge."""
    return PAGE_H - y_from_top


def encrypt(data: bytes, password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rename_on_state(data: bytes, field: str, on_state: str) -> bytes:
    """Rename a checkbox widget's on-state (``/Yes`` → e.g. ``/Ja``) in /AP, /AS and /V."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    new = NameObject(on_state)
    for page in writer.pages:
        for ref in page.get("/Annots", []):
            widget = ref.get_object()
            if widget.get("/T") != field:
                continue
            for key in ("/N", "/D"):
                states = widget["/AP"].get(key)
                if states is None:
                    continue
                states = states.get_object()
                replaced = DictionaryObject()
                for name, stream in states.items():
                    replaced[new if name != "/Off" else NameObject("/Off")] = stream
                widget["/AP"][NameObject(key)] = replaced
            for key in ("/AS", "/V"):
                if widget.get(key) not in (None, "/Off"):
                    widget[NameObject(key)] = new
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ----------------------------------------------------------- hand-made page words


def word(text: str, x0: float, top_: float, size: float = 10.0, bold: bool = False,
         confidence: float = 1.0) -> Word:
    """A word whose width is 0.5 × size per character (like a monospaced font)."""
    return Word(text=text, box=Box(x0, top_, x0 + 0.5 * size * len(text), top_ + size),
                confidence=confidence, size=size, bold=bold)


def words_line(text: str, x0: float, top_: float, size: float = 10.0, bold: bool = False) -> list[Word]:
    out: list[Word] = []
    x = x0
    for piece in text.split():
        w = word(piece, x, top_, size, bold)
        out.append(w)
        x = w.box.x1 + 0.5 * size
    return out


def cell_rects(xs: Iterable[float], ys: Iterable[float]) -> list[Rect]:
    """Stroked rectangles for a grid with column edges ``xs`` and row edges ``ys``."""
    xs, ys = list(xs), list(ys)
    return [Rect(Box(x0, y0, x1, y1)) for y0, y1 in zip(ys, ys[1:], strict=False)
            for x0, x1 in zip(xs, xs[1:], strict=False)]


def page(number: int = 1, words: Iterable[Word] = (), rects: Iterable[Rect] = (),
         ink: Iterable[Box] = ()) -> PageWords:
    return PageWords(number=number, width=PAGE_W, height=PAGE_H, words=list(words), rects=list(rects),
                     ink=list(ink))
