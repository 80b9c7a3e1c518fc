"""Synthetic scanned pages drawn with Pillow: ruled label/value tables, tick boxes, ticks.

Fictional content only. Pages are drawn at a given resolution in points (A4), so
tests can check positions in the page-words model, then rotated and speckled like
an office copier would.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype/liberation2")
A4 = (595.0, 842.0)


def font(size_pt: float, dpi: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    return ImageFont.truetype(str(FONTS / name), max(6, round(size_pt * dpi / 72)))


@dataclass
class Page:
    """A white A4 page to draw on in points."""

    dpi: int = 200
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)

    def __post_init__(self) -> None:
        self.image = Image.new("L", (round(A4[0] * self.dpi / 72), round(A4[1] * self.dpi / 72)), 255)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, value: float) -> int:
        return round(value * self.dpi / 72)

    def text(self, x: float, y: float, text: str, size: float = 10, bold: bool = False) -> None:
        self.draw.text((self.px(x), self.px(y)), text, fill=0, font=font(size, self.dpi, bold))

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.8) -> None:
        self.draw.line([(self.px(x0), self.px(y0)), (self.px(x1), self.px(y1))], fill=40,
                       width=max(1, self.px(width)))

    def rect(self, x0: float, y0: float, x1: float, y1: float, width: float = 0.8) -> None:
        self.draw.rectangle([self.px(x0), self.px(y0), self.px(x1), self.px(y1)], outline=40,
                            width=max(1, self.px(width)))

    def table(self, x0: float, y0: float, widths: list[float], rows: list[list[str]], height: float = 22,
              bold_first: bool = True) -> float:
        """A ruled table; returns the bottom edge."""
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        for r, row in enumerate(rows):
            top = y0 + r * height
            for c, value in enumerate(row):
                self.rect(xs[c], top, xs[c + 1], top + height)
                if value:
                    self.text(xs[c] + 4, top + 5, value, 10, bold=bold_first and c % 2 == 0 and len(row) > 1)
        return y0 + len(rows) * height

    def checkbox(self, x: float, y: float, side: float = 10, mark: str = "") -> None:
        """A square tick box; ``mark`` is "", "tick", "cross", "fill", "overrun" or "dot"."""
        self.rect(x, y, x + side, y + side)
        p = self.px
        if mark == "tick":
            self.draw.line([(p(x + 2), p(y + side * 0.55)), (p(x + side * 0.4), p(y + side - 2)),
                            (p(x + side - 1.5), p(y + 2))], fill=20, width=max(2, p(1.3)))
        elif mark == "overrun":
            self.draw.line([(p(x + 2), p(y + side * 0.5)), (p(x + side * 0.45), p(y + side - 1.5)),
                            (p(x + side + 4), p(y - 6))], fill=20, width=max(2, p(1.3)))
        elif mark == "cross":
            stroke = max(2, p(1.2))
            self.draw.line([(p(x + 2), p(y + 2)), (p(x + side - 2), p(y + side - 2))], fill=20, width=stroke)
            self.draw.line([(p(x + 2), p(y + side - 2)), (p(x + side - 2), p(y + 2))], fill=20, width=stroke)
        elif mark == "fill":
            self.draw.rectangle([p(x + 2), p(y + 2), p(x + side - 2), p(y + side - 2)], fill=30)
        elif mark == "dot":
            self.draw.ellipse([p(x + side / 2 - 0.6), p(y + side / 2 - 0.6), p(x + side / 2 + 0.6),
                               p(y + side / 2 + 0.6)], fill=60)

    def option(self, x: float, y: float, label: str, mark: str = "") -> float:
        """A tick box followed by its label; returns the x after the label."""
        self.checkbox(x, y, 10, mark)
        self.text(x + 14, y - 1, label, 10)
        return x + 14 + len(label) * 5.5 + 12

    def scanned(self, angle: float = 0.0, noise: float = 0.0, seed: int = 1) -> Image.Image:
        """The page as a scanner returns it: slightly rotated, speckled, a grey background."""
        image = self.image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255) if angle else \
            self.image.copy()
        if noise:
            rng = random.Random(seed)
            pixels = image.load()
            assert pixels is not None
            for _ in range(int(image.width * image.height * noise)):
                x, y = rng.randrange(image.width), rng.randrange(image.height)
                pixels[x, y] = rng.choice((0, 90, 160))
        return image.point(lambda v: min(v, 240))


def encode(image: Image.Image, fmt: str, dpi: int, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, dpi=(dpi, dpi), **options)
    return buffer.getvalue()


def sample_form(dpi: int = 200, consent: str = "tick", tier_mark: str = "tick") -> Page:
    """A one-page fictional early help form: child, family, practitioner, lists, tier, consent."""
    page = Page(dpi)
    page.text(40, 30, "Early Help Assessment", 16, bold=True)
    page.text(40, 60, "Child / young person 1", 12, bold=True)
    y = page.table(40, 78, [120, 390], [["Name", "Lily Carter"], ["Date of birth", "14/02/2015"],
                                        ["Gender", "Female"]])
    page.text(40, y + 14, "Family", 12, bold=True)
    y = page.table(40, y + 32, [120, 390], [["Address", "12 Elm Road, Exampletown"], ["Postcode", "EX1 2AB"]])
    page.text(40, y + 14, "Person completing the form", 12, bold=True)
    y = page.table(40, y + 32, [120, 390], [["Name", "Sam Patel"], ["Agency", "Exampletown Primary School"]])
    page.text(40, y + 14, "Strengths", 12, bold=True)
    y = page.table(40, y + 32, [510], [["Lily enjoys reading with her grandmother"]], bold_first=False)
    page.text(40, y + 14, "Needs", 12, bold=True)
    y = page.table(40, y + 32, [510], [["Lily is often late for school"]], bold_first=False)
    page.text(40, y + 14, "Level of need", 12, bold=True)
    y += 34
    x = page.option(40, y, "Tier 1 - Universal")
    page.option(x + 20, y, "Tier 2 - Universal Plus", tier_mark)
    page.text(40, y + 30, "Consent", 12, bold=True)
    y += 50
    page.text(40, y - 1, "I agree to information being shared:", 10)
    x = page.option(240, y, "Yes", consent)
    page.option(x, y, "No")
    return page


def scanned_report(pages: int = 6, dpi: int = 150) -> list[Image.Image]:
    """Scanned pages of a report that is not an assessment form (the same pixels on every call,
    so the run's OCR cache reads each page once however many tests use it)."""
    report = []
    for number in range(pages):
        page = Page(dpi)
        for line in range(12):
            page.text(60, 80 + line * 20, f"Quarterly budget report page {number + 1} line {line + 1}", 11)
        report.append(page.scanned())
    return report
