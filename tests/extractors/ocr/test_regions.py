"""Ruling from pixels: table borders become lines in points; bold words and shading do not."""

from __future__ import annotations

import numpy as np

from extractors.ocr.prepare import flatten_background, ink_mask
from extractors.ocr.regions import find_dark_bars, find_ruling, runs_at_least
from extractors.page_layout import find_cells
from tests.extractors.ocr.scan_builders import Page

DPI = 200


def test_runs_at_least_keeps_only_long_runs() -> None:
    mask = np.array([[1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1]], dtype=bool)
    assert runs_at_least(mask, 3, axis=1).astype(int).tolist() == [[1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1]]


def test_table_ruling_gives_the_cells_a_printed_pdf_would() -> None:
    page = Page(DPI)
    page.table(50, 100, [120, 300], [["Name", "Tom Brown"], ["Date of birth", "01/02/2015"],
                                     ["Gender", "Male"]])
    image = flatten_background(page.scanned(), DPI)
    ruling = find_ruling(ink_mask(image), DPI, np.asarray(image))
    cells = sorted(find_cells(ruling.rects), key=lambda b: (round(b.top), b.x0))
    assert len(cells) == 6
    first = cells[0]
    assert abs(first.x0 - 50) < 2 and abs(first.top - 100) < 2 and abs(first.x1 - 170) < 2


def test_bold_words_and_light_shading_are_not_lines() -> None:
    page = Page(DPI)
    page.text(50, 100, "Practitioner completing the assessment", 14, bold=True)
    page.draw.rectangle([page.px(50), page.px(150), page.px(400), page.px(170)], fill=215)
    image = flatten_background(page.scanned(), DPI)
    assert find_ruling(ink_mask(image), DPI, np.asarray(image)).rects == []


def test_dark_heading_bars_are_found() -> None:
    page = Page(DPI)
    page.draw.rectangle([page.px(50), page.px(100), page.px(500), page.px(118)], fill=70)
    page.draw.text((page.px(55), page.px(103)), "2. Family", fill=255)
    dark = np.asarray(page.scanned()) < 140
    bars = find_dark_bars(dark, DPI)
    assert len(bars) == 1
    ys, xs = bars[0]
    assert abs(xs.start * 72 / DPI - 50) < 2 and abs(ys.start * 72 / DPI - 100) < 2
