"""Tick boxes from pixels: found by shape, decided by the ink inside them."""

from __future__ import annotations

import numpy as np
import pytest

from extractors.ocr.checkboxes import UNCLEAR_CONFIDENCE, find_checkboxes
from extractors.ocr.prepare import flatten_background, ink_mask
from tests.extractors.ocr.scan_builders import Page

DPI = 200


def boxes_of(page: Page) -> list[tuple[float, bool | None, float]]:
    """(x in points, checked, confidence) of every box found, left to right, top to bottom."""
    ink = ink_mask(flatten_background(page.scanned(), DPI))
    found = find_checkboxes(ink, DPI)
    return [(round(b.x0 * 72 / DPI), b.checked, b.confidence) for b in found]


@pytest.mark.parametrize("mark", ["tick", "cross", "fill", "overrun"])
def test_a_marked_box_beside_empty_ones_is_ticked(mark: str) -> None:
    page = Page(DPI)
    x = page.option(60, 100, "Yes", mark)
    page.option(x, 100, "No")
    page.option(x + 80, 100, "Not known")
    found = boxes_of(page)
    assert [checked for _x, checked, _c in found] == [True, False, False]
    assert all(conf >= 0.8 for _x, _checked, conf in found)


def test_boxes_in_a_column_are_found_and_read() -> None:
    page = Page(DPI)
    for row, mark in enumerate(["", "tick", "", ""]):
        page.option(60, 100 + row * 16, f"Tier {row + 1}", mark)
    assert [checked for _x, checked, _c in boxes_of(page)] == [False, True, False, False]


def test_a_faint_dot_is_unclear_not_ticked() -> None:
    page = Page(DPI)
    x = page.option(60, 100, "Yes", "dot")
    page.option(x, 100, "No")
    found = boxes_of(page)
    assert found[0][1] is None and found[0][2] == UNCLEAR_CONFIDENCE
    assert found[1][1] is False


def test_letters_and_table_cells_are_not_boxes() -> None:
    page = Page(DPI)
    page.text(60, 60, "Common Assessment Form: looking good", 16, bold=True)
    page.text(60, 90, "o O 0 D a e", 14)
    page.table(60, 120, [120, 300], [["Name", "Tom Brown"], ["Postcode", "EX1 2AB"]])
    assert boxes_of(page) == []


def test_blank_page_has_no_boxes() -> None:
    ink = np.zeros((400, 300), dtype=bool)
    assert find_checkboxes(ink, DPI) == []
