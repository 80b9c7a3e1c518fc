"""One prepared page to page words: speckle removal before boxes and words are looked for."""

from __future__ import annotations

from extractors.ocr.checkboxes import find_checkboxes
from extractors.ocr.pages import despeckle
from extractors.ocr.prepare import flatten_background, ink_mask
from tests.extractors.ocr.scan_builders import Page

DPI = 200


def test_speckle_goes_and_full_stops_ticks_and_boxes_stay() -> None:
    """A dirty copier page (2 % of pixels specks): without despeckling no tick box is even found."""
    page = Page(DPI)
    x = page.option(60, 100, "Yes", "tick")
    x = page.option(x, 100, "No")
    page.option(x, 100, "Not known")
    page.text(60, 140, "Signed. Dated.", 10)
    clean = ink_mask(flatten_background(page.scanned(), DPI))
    speckled = ink_mask(flatten_background(page.scanned(noise=0.02, seed=3), DPI))
    kept = despeckle(speckled, DPI)
    assert not (clean & ~kept).any()  # no ink of the form lost, full stops included
    assert (kept & ~clean).sum() < 0.01 * (speckled & ~clean).sum()  # nearly every speck gone
    assert [box.checked for box in find_checkboxes(kept, DPI)] == [True, False, False]
