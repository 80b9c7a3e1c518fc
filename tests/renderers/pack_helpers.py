"""PDFs for pack tests: forms with fields, scanned pages, plain pages (no corpus files)."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

A4 = (595.28, 841.89)


def plain_pages(n: int, label: str) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for i in range(n):
        pdf.drawString(72, A4[1] / 2, f"{label} page {i + 1}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def form_pages(n: int, label: str, fields_per_page: int = 20) -> bytes:
    """An n-page PDF with filled AcroForm text fields and tick boxes (like a completed CAF)."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for page in range(n):
        pdf.drawString(60, 800, f"{label} section {page + 1}")
        for row in range(fields_per_page):
            y = 760 - row * 34
            pdf.drawString(60, y + 4, f"Question {row + 1}")
            pdf.acroForm.textfield(name=f"p{page}_f{row}", value=f"answer {page}.{row}", x=200, y=y,
                                   width=320, height=20, borderWidth=0)
            pdf.acroForm.checkbox(name=f"p{page}_c{row}", x=540, y=y, size=14, checked=row % 2 == 0)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def scanned_pages(n: int, dpi: int = 300, seed: int = 1) -> bytes:
    """Pages that are full-page colour images at ``dpi`` (noise and lines, like a poor scan)."""
    rng = random.Random(seed)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    size = (int(A4[0] / 72 * dpi), int(A4[1] / 72 * dpi))
    for page in range(n):
        # paper: off-white with a faint blotchy texture, as a flatbed scan of a form looks
        texture = Image.effect_noise((size[0] // 32, size[1] // 32), 3).resize(size)
        image = Image.merge("RGB", [texture.point(lambda v: min(255, v + 110))] * 3)
        draw = ImageDraw.Draw(image)
        for line in range(60):
            y = 80 + line * 50
            draw.line((100, y, size[0] - 100 - rng.randint(0, 600), y), fill=(20, 20, 60), width=4)
        draw.text((120, 40), f"scan {seed}.{page}", fill=(0, 0, 0))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=90)
        pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
    pdf.save()
    return out.getvalue()
