"""Ruling lines and table cells found from pixels.

A form's boxes are what keep a label beside its value. Printed PDFs give the ruling
as vector paths; for a scan the same ruling is recovered here from the ink: long
thin horizontal runs and the vertical strokes that meet them (a morphological
opening done with running sums, so it costs a few array passes per page). They come
back as :class:`~extractors.words.Rect` lines in points, exactly what
:func:`extractors.page_layout.find_cells` expects, plus the pixel mask to erase
before OCR so that cell borders are not read as ``|`` or ``_``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from extractors.words import Box, Rect

Mask = npt.NDArray[np.bool_]
Gray = npt.NDArray[np.uint8]

#: a horizontal ruling line is at least this long (points): longer than a bold word whose
#: touching letters make one run
MIN_HORIZONTAL = 40.0
#: a vertical cell border is at least this tall; it must also meet a horizontal line
MIN_VERTICAL = 10.0
#: no run of touching bold letters is this long (points): longer runs are lines outright
LONG_LINE = 150.0
#: thicker than this (points) is a filled block, not a line
MAX_THICKNESS = 4.0


@dataclass
class Ruling:
    """Ruling lines of a page in points, and the pixels that draw them."""

    rects: list[Rect]
    mask: Mask


def runs_at_least(mask: Mask, length: int, axis: int) -> Mask:
    """Pixels lying in a run of at least ``length`` set pixels along ``axis``.

    A morphological opening with a line: erosion then dilation by the same window
    (van Herk running min/max, so the cost does not grow with ``length``).
    """
    length = max(int(length), 1) | 1  # odd, so the window is centred the same way twice
    if length <= 1:
        return mask.copy()
    if mask.shape[axis] < length:
        return np.zeros_like(mask)
    values = mask.view(np.uint8)
    eroded = ndimage.minimum_filter1d(values, length, axis=axis, mode="constant", cval=0)
    opened: Mask = ndimage.maximum_filter1d(eroded, length, axis=axis, mode="constant", cval=0).astype(bool)
    return opened


def smear(mask: Mask, axis: int) -> Mask:
    """Widen a mask by one pixel across ``axis`` so a slightly slanted line stays one run."""
    out = mask.copy()
    if axis == 0:
        out[1:] |= mask[:-1]
        out[:-1] |= mask[1:]
    else:
        out[:, 1:] |= mask[:, :-1]
        out[:, :-1] |= mask[:, 1:]
    return out


def _components(mask: Mask) -> list[tuple[slice, slice]]:
    labels, _count = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    return [s for s in ndimage.find_objects(labels) if s is not None]


#: the darkest pixel across a real line is darker than this along most of its length; the
#: soft edge of a shaded cell, which can also make a long faint run, is lighter
LINE_DARKNESS = 195


def _dark_enough(gray: Gray | None, ys: slice, xs: slice, axis: int) -> bool:
    if gray is None:
        return True
    darkest = gray[ys, xs].min(axis=axis)
    return bool(np.median(darkest) < LINE_DARKNESS)


def _free_sides(ink: Mask, ys: slice, xs: slice, axis: int) -> bool:
    """Paper on both sides along most of the run.

    Bold letters that touch make long thin runs too, but with ink right above and below
    them. A parallel line close by (the double rule under a heading bar) is not
    counted as ink beside the run.
    """
    band = ink if axis == 0 else ink.T
    rows, cols = (ys, xs) if axis == 0 else (xs, ys)
    start, stop = rows.start, rows.stop
    near = [*range(max(start - 6, 0), max(start - 1, 0)), *range(stop + 1, min(stop + 6, band.shape[0]))]
    touched = np.zeros(cols.stop - cols.start, dtype=bool)
    for r in near:
        line = band[r, cols]
        if line.mean() < 0.9:  # a row that is itself a line is a neighbouring rule, not text
            touched |= line
    return float(touched.mean()) < 0.6


def find_ruling(ink: Mask, dpi: float, gray: Gray | None = None) -> Ruling:
    """Horizontal and vertical ruling of a page (deskewed ink mask at ``dpi``).

    ``gray`` (the flattened page) lets faint runs along the soft edge of cell shading
    be told from printed lines.
    """
    px = dpi / 72.0
    pt = 72.0 / dpi
    horizontal = runs_at_least(smear(smear(ink, 0), 0), max(int(MIN_HORIZONTAL * px), 8), axis=1)
    vertical = runs_at_least(smear(smear(ink, 1), 1), max(int(MIN_VERTICAL * px), 6), axis=0)
    rects: list[Rect] = []
    mask = np.zeros_like(ink)
    h_boxes: list[tuple[int, int, int, int]] = []  # x0, y0, x1, y1 in pixels
    thick = MAX_THICKNESS * px
    for ys, xs in _components(horizontal):
        x0, x1, y0, y1 = xs.start, xs.stop, ys.start, ys.stop
        height = y1 - y0
        if height > max(thick, (x1 - x0) * 0.02):
            continue  # a filled block or a shaded bar with text, not a line
        if not _dark_enough(gray, ys, xs, 0):
            continue
        if x1 - x0 < LONG_LINE * px and not _free_sides(ink, ys, xs, 0):
            continue
        h_boxes.append((x0, y0, x1, y1))
        mask[ys, xs] |= horizontal[ys, xs]
        cy = (y0 + y1) / 2 * pt
        rects.append(Rect(Box(x0 * pt, cy - 0.4, x1 * pt, cy + 0.4)))
    reach = 4.0 * px
    for ys, xs in _components(vertical):
        x0, x1, y0, y1 = xs.start, xs.stop, ys.start, ys.stop
        if x1 - x0 > max(thick, (y1 - y0) * 0.02):
            continue
        spans = [(hy0 + hy1) / 2 for hx0, hy0, hx1, hy1 in h_boxes if hx0 - reach <= x0 and x1 <= hx1 + reach]
        top = any(abs(y0 - hy) <= reach for hy in spans)
        bottom = any(abs(y1 - hy) <= reach for hy in spans)
        crossing = any(y0 - reach <= hy <= y1 + reach for hy in spans)
        if not crossing:
            continue  # a tall letter stroke, not a cell border
        # a border runs from rule to rule (it may be printed lighter than the rules); a letter
        # stroke has its neighbours on both sides
        rule_to_rule = top and bottom
        if not rule_to_rule and not _dark_enough(gray, ys, xs, 1):
            continue
        if y1 - y0 < LONG_LINE * px and not _free_sides(ink, ys, xs, 1):
            continue
        mask[ys, xs] |= vertical[ys, xs]
        cx = (x0 + x1) / 2 * pt
        rects.append(Rect(Box(cx - 0.4, y0 * pt, cx + 0.4, y1 * pt)))
    return Ruling(rects=rects, mask=mask & smear(smear(ink, 0), 1))


#: a dark bar (white heading text on a dark fill) is at least this wide and tall (points)
BAR_MIN_WIDTH = 60.0
BAR_MIN_HEIGHT = 8.0
BAR_MAX_HEIGHT = 40.0


def find_dark_bars(ink: Mask, dpi: float) -> list[tuple[slice, slice]]:
    """Filled dark bands (section headings printed white on a dark bar), as pixel slices.

    Their text is ink-coloured paper: it must be read inverted, and the bar must not be
    taken for ruling or tick boxes.
    """
    px = dpi / 72.0
    runs = runs_at_least(ink, max(int(BAR_MIN_WIDTH * px * 0.5), 8), axis=1)
    bars: list[tuple[slice, slice]] = []
    for ys, xs in _components(runs):
        height, width = ys.stop - ys.start, xs.stop - xs.start
        if width < BAR_MIN_WIDTH * px or not BAR_MIN_HEIGHT * px <= height <= BAR_MAX_HEIGHT * px:
            continue
        if float(ink[ys, xs].mean()) < 0.6:
            continue
        bars.append((ys, xs))
    return bars
