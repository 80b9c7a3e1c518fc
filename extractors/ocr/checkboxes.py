"""Tick boxes found and read from pixels.

A tick box is a small square outline (6–18 pt a side): a short horizontal run on
top, a matching one below at a distance equal to its width, and ink down both
sides. Its state comes from the ink *inside* the square (the outline excluded):
crosses, ticks and filled boxes all leave ink there, and a hand-drawn tick that
overruns the box still crosses its interior, or leaves a stroke joined to the
outline that reaches well outside it. Between "clearly empty" and "clearly marked"
the box is *unclear* (``checked=None``, low confidence): the reader then leaves the
answer null and flags it, which is what consent requires.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extractors.ocr.regions import Mask, runs_at_least, smear
from extractors.words import Box, InputBox

MIN_SIDE = 6.0  # points
MAX_SIDE = 18.0
#: interior ink fractions: at most EMPTY is empty, at least TICKED is marked
EMPTY = 0.02
TICKED = 0.06
UNCLEAR_CONFIDENCE = 0.3

Labels = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Checkbox:
    """A found tick box in pixels, and its decided state."""

    x0: int
    y0: int
    x1: int
    y1: int
    checked: bool | None
    confidence: float
    density: float

    def input_box(self, dpi: float) -> InputBox:
        pt = 72.0 / dpi
        return InputBox(box=Box(self.x0 * pt, self.y0 * pt, self.x1 * pt, self.y1 * pt), kind="checkbox",
                        checked=self.checked, confidence=self.confidence)


def _segments(mask: Mask) -> list[tuple[int, int, int]]:
    """(y, x0, x1) of each horizontal run in ``mask``, adjacent rows merged into one segment."""
    from scipy import ndimage

    labels, _n = ndimage.label(mask, structure=np.ones((3, 3), dtype=bool))
    out: list[tuple[int, int, int]] = []
    for found in ndimage.find_objects(labels):
        if found is None:
            continue
        ys, xs = found
        out.append(((ys.start + ys.stop) // 2, xs.start, xs.stop))
    return out


def find_checkboxes(ink: Mask, dpi: float) -> list[Checkbox]:
    """Every square tick box on a page, with its state decided from the ink inside.

    First the clean, empty boxes are found from short horizontal runs (a square on
    the run with four drawn edges, a hollow inside, paper to its left and below):
    they give the form's box size. Then the whole page is searched for squares of
    that size with summed-area tables, which finds marked boxes too, whatever a
    tick did to their edges (it only adds ink), and boxes whose outline noise broke.
    """
    px = dpi / 72.0
    short = runs_at_least(smear(ink, 0), max(int(MIN_SIDE * 0.8 * px), 5), axis=1)
    segments = [s for s in _segments(short) if MIN_SIDE * px * 0.8 <= s[2] - s[1] <= MAX_SIDE * px * 1.2]
    reach = max(int(0.8 * px), 2)
    clean: list[tuple[int, int, int, int]] = []
    for y, x0, x1 in segments:
        width = x1 - x0
        if any(_covers(box, x0, y, x1) for box in clean):
            continue
        box = _best_square(ink, y, x0, x1, range(int(width * 0.8), int(width * 1.25) + 1), reach, px)
        if box is None or min(box[2] - box[0], box[3] - box[1]) < MIN_SIDE * px:
            continue  # smaller than any tick box: a letter
        if _interior(ink, *box) <= EMPTY / 2 and _corners(ink, *box, reach) \
                and _straight(ink, *box, reach) and _thin_outline(ink, *box, reach):
            clean.append(box)
    found = list(clean)
    for width, height in _typical_sizes(clean):
        anchors = [b for b in clean if abs(b[2] - b[0] - width) <= max(3, width // 8)]
        for _round in range(2):  # a box found in line with a found box leads to its own row
            new = [box for box in _aligned(ink, anchors, width, height, reach)
                   if not any(_overlap(box, other) for other in found)]
            found.extend(new)
            anchors = anchors + new
            if not new:
                break
    return [_decide(ink, *box) for box in sorted(found, key=lambda b: (b[1], b[0]))]


def _aligned(ink: Mask, clean: list[tuple[int, int, int, int]], width: int, height: int,
             reach: int) -> list[tuple[int, int, int, int]]:
    """Marked boxes in line with the empty ones: option boxes come in rows or columns.

    A tick, a cross or a filled square spoils the tests that find empty boxes, but
    never the outline itself; so along every row and column that holds an empty box,
    squares of the same size with all four edges drawn are looked for.
    """
    found: list[tuple[float, tuple[int, int, int, int]]] = []
    rows = sorted({b[1] for b in clean})
    cols = sorted({b[0] for b in clean})
    for y in _distinct(rows):
        for dy in range(-3, 4):
            found.extend(_along_row(ink, y + dy, width, height, reach))
    for x in _distinct(cols):
        for dx in range(-3, 4):
            found.extend(_along_column(ink, x + dx, width, height, reach))
    kept: list[tuple[int, int, int, int]] = []
    for _score, box in sorted(found, key=lambda item: -item[0]):
        if not any(_overlap(box, other) for other in kept):
            kept.append(box)
    return kept


def _distinct(values: list[int]) -> list[int]:
    out: list[int] = []
    for value in values:
        if not out or value - out[-1] > 4:
            out.append(value)
    return out


def _coverage(lines: Mask | np.bool_, span: int) -> npt.NDArray[np.float64]:
    """For each start index, the fraction of ``span`` consecutive entries set."""
    csum = np.concatenate([[0], np.cumsum(np.atleast_1d(lines), dtype=np.int64)])
    fractions: npt.NDArray[np.float64] = (csum[span:] - csum[:-span]) / span
    return fractions


def _along_row(ink: Mask, y: int, width: int, height: int,
               reach: int) -> list[tuple[float, tuple[int, int, int, int]]]:
    if y - reach < 0 or y + height + reach + 1 > ink.shape[0]:
        return []
    top = _coverage(ink[y - reach:y + reach + 1].any(axis=0), width)
    bottom = _coverage(ink[y + height - reach:y + height + reach + 1].any(axis=0), width)
    side = _dilate_columns(ink[y:y + height], reach).mean(axis=0)
    count = top.size - 1
    left = side[:count]
    right = side[width:width + count]
    score = np.minimum(np.minimum(top[:count], bottom[:count]), np.minimum(left, right))
    boxes = [(float(score[x]), (int(x), y, int(x) + width, y + height)) for x in np.flatnonzero(score >= 0.8)]
    return [(value, box) for value, box in boxes
            if _corners(ink, *box, reach) and _straight(ink, *box, reach)]


def _along_column(ink: Mask, x: int, width: int, height: int,
                  reach: int) -> list[tuple[float, tuple[int, int, int, int]]]:
    if x - reach < 0 or x + width + reach + 1 > ink.shape[1]:
        return []
    left = _coverage(ink[:, x - reach:x + reach + 1].any(axis=1), height)
    right = _coverage(ink[:, x + width - reach:x + width + reach + 1].any(axis=1), height)
    side = _dilate_columns(ink[:, x:x + width].T, reach).mean(axis=0)
    count = left.size - 1
    top = side[:count]
    bottom = side[height:height + count]
    score = np.minimum(np.minimum(left[:count], right[:count]), np.minimum(top, bottom))
    boxes = [(float(score[y]), (x, int(y), x + width, int(y) + height)) for y in np.flatnonzero(score >= 0.8)]
    return [(value, box) for value, box in boxes
            if _corners(ink, *box, reach) and _straight(ink, *box, reach)]


def _dilate_columns(block: Mask, reach: int) -> Mask:
    """Each pixel set when any pixel within ``reach`` columns is (edge position tolerance)."""
    out = block.copy()
    for shift in range(1, reach + 1):
        out[:, shift:] |= block[:, :-shift]
        out[:, :-shift] |= block[:, shift:]
    return out


def _typical_sizes(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int]]:
    """One (width, height) per cluster of box sizes, at most two (most forms use one)."""
    sizes = sorted((b[2] - b[0], b[3] - b[1]) for b in boxes)
    clusters: list[list[tuple[int, int]]] = []
    for size in sizes:
        if clusters and size[0] - clusters[-1][-1][0] <= max(3, size[0] // 8):
            clusters[-1].append(size)
        else:
            clusters.append([size])
    clusters.sort(key=len, reverse=True)
    out: list[tuple[int, int]] = []
    for cluster in clusters[:2]:
        widths = sorted(c[0] for c in cluster)
        heights = sorted(c[1] for c in cluster)
        out.append((widths[len(widths) // 2], heights[len(heights) // 2]))
    return out


def _straight(ink: Mask, x0: int, y0: int, x1: int, y1: int, reach: int) -> bool:
    """Each edge is drawn along one row or column: round letters only touch it in places."""
    def best_row(y: int) -> float:
        band = ink[max(y - reach, 0):y + reach + 1, x0:x1 + 1]
        return float(band.mean(axis=1).max()) if band.size else 0.0

    def best_col(x: int) -> float:
        band = ink[y0:y1 + 1, max(x - reach, 0):x + reach + 1]
        return float(band.mean(axis=0).max()) if band.size else 0.0

    return min(best_row(y0), best_row(y1), best_col(x0), best_col(x1)) >= 0.75


def _thin_outline(ink: Mask, x0: int, y0: int, x1: int, y1: int, reach: int) -> bool:
    """A drawn box has a thin outline; the strokes of a letter "o" are a quarter of its width."""
    side = x1 - x0
    widths: list[int] = []
    for y in range(y0 + (y1 - y0) // 3, y1 - (y1 - y0) // 3):
        row = ink[y, max(x0 - 2 * reach, 0):x0 + side // 2]
        hits = np.flatnonzero(row)
        if hits.size == 0:
            continue
        start = int(hits[0])
        stop = start
        while stop + 1 < row.size and row[stop + 1]:
            stop += 1
        widths.append(stop - start + 1)
    if not widths:
        return False
    widths.sort()
    return widths[len(widths) // 2] <= max(2 * reach, side * 0.2)


def _corners(ink: Mask, x0: int, y0: int, x1: int, y1: int, reach: int) -> bool:
    """All four corners inked: squares have corners, round letters (o, O, 0) do not."""
    for cy in (y0, y1):
        for cx in (x0, x1):
            window = ink[max(cy - reach, 0):cy + reach + 1, max(cx - reach, 0):cx + reach + 1]
            if not window.size or window.mean() < 0.2:
                return False
    return True


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w > (a[2] - a[0]) * 0.3 and h > (a[3] - a[1]) * 0.3


def _interior(ink: Mask, x0: int, y0: int, x1: int, y1: int) -> float:
    """Ink fraction inside the outline.

    A straight full row or column inside the inset is an edge (of this box when its
    position is a pixel or two off, or of a box stacked against it), not a mark; a box
    that is mostly full rows is a filled box.
    """
    side = min(x1 - x0, y1 - y0)
    inset = max(2, round(side * 0.2))
    interior = ink[y0 + inset:y1 - inset, x0 + inset:x1 - inset]
    if not interior.size:
        return 0.0
    full_rows = interior.mean(axis=1) >= 0.8
    full_cols = interior.mean(axis=0) >= 0.8
    if full_rows.mean() > 0.5 or full_cols.mean() > 0.5:
        return float(interior.mean())
    rest = interior[~full_rows][:, ~full_cols]
    return float(rest.mean()) if rest.size else 0.0


def _best_square(ink: Mask, y: int, x0: int, x1: int, heights: range, reach: int,
                 px: float, floor: float = 0.8) -> tuple[int, int, int, int] | None:
    """The best-drawn square with its top or bottom edge on row ``y``, or None.

    The same outline measure as :func:`_outline`, computed for every candidate height
    at once from per-row and per-column coverage. Several heights fit a blurred outline
    equally well; the middle one is taken.
    """
    rows_total, cols_total = ink.shape
    if x1 - x0 < 4 or x0 - reach < 0 or x1 + reach >= cols_total or not heights:
        return None
    lo = max(y - heights.stop - reach, 0)
    hi = min(y + heights.stop + reach + 1, rows_total)
    block = ink[lo:hi, x0:x1]
    spread = block.copy()
    for shift in range(1, reach + 1):
        spread[shift:] |= block[:-shift]
        spread[:-shift] |= block[shift:]
    row_cover = spread.mean(axis=1)  # edge coverage of a horizontal edge at each row
    left = np.concatenate([[0], np.cumsum(ink[lo:hi, x0 - reach:x0 + reach + 1].any(axis=1))])
    right = np.concatenate([[0], np.cumsum(ink[lo:hi, x1 - reach:x1 + reach + 1].any(axis=1))])
    scored: list[tuple[float, tuple[int, int, int, int]]] = []
    for height in heights:
        if not 0.8 <= height / (x1 - x0) <= 1.25:
            continue
        for top in (y, y - height):
            a, b = top - lo, top + height - lo
            if a < 0 or b >= row_cover.size:
                continue
            score = min(float(row_cover[a]), float(row_cover[b]), float(left[b] - left[a]) / height,
                        float(right[b] - right[a]) / height)
            if score >= floor:
                scored.append((score, (x0, top, x1, top + height)))
    if not scored:
        return None
    best = max(score for score, _ in scored)
    near = sorted((box for score, box in scored if score >= best - 0.04), key=lambda b: (b[3] - b[1], b[0]))
    x0, top, x1, bottom = near[len(near) // 2]
    if not _hollow(ink, x0, top, x1, bottom, reach) or not _isolated(ink, x0, top, x1, bottom, px):
        return None
    return x0, top, x1, bottom


def _covers(box: tuple[int, int, int, int], x0: int, y: int, x1: int) -> bool:
    bx0, by0, bx1, by1 = box
    tol = max(3, (bx1 - bx0) // 5)
    return bx0 - tol <= x0 <= bx1 and by0 - tol <= y <= by1 + tol


def _isolated(ink: Mask, x0: int, y0: int, x1: int, y1: int, px: float) -> bool:
    """Paper just left of the box and just below it: a letter inside a word has neighbours."""
    near, far = max(int(0.6 * px), 2), max(int(2.0 * px), 4)
    left = ink[y0 + far:y1 - far, max(x0 - far, 0):max(x0 - near, 0)]
    below = ink[y1 + near:y1 + far, x0 + far:x1 - far]
    return _sparse(left.T) and _sparse(below)


def _sparse(band: Mask) -> bool:
    """Mostly paper, ignoring rows that are lines along the box (a table rule close by)."""
    if not band.size:
        return True
    rows = band.mean(axis=1)
    rest = rows[rows < 0.6]
    return not rest.size or float(rest.mean()) < 0.15


def _hollow(ink: Mask, x0: int, y0: int, x1: int, y1: int, reach: int) -> bool:
    """The ring just inside the outline is mostly paper (a tick crosses it only in places)."""
    a, b = 2 * reach + 1, 2 * reach + 3
    if x1 - x0 <= 2 * b or y1 - y0 <= 2 * b:
        return False
    ring = np.concatenate([
        ink[y0 + a:y0 + b, x0 + b:x1 - b].ravel(), ink[y1 - b:y1 - a, x0 + b:x1 - b].ravel(),
        ink[y0 + b:y1 - b, x0 + a:x0 + b].ravel(), ink[y0 + b:y1 - b, x1 - b:x1 - a].ravel()])
    return bool(ring.size) and float(ring.mean()) < 0.45


def _decide(ink: Mask, x0: int, y0: int, x1: int, y1: int) -> Checkbox:
    """State from the interior's ink (outline excluded) and strokes overrunning the top."""
    side = min(x1 - x0, y1 - y0)
    density = _interior(ink, x0, y0, x1, y1)
    overrun = _overrun(ink, x0, y0, x1, y1, side)
    if density >= TICKED or (density >= EMPTY and overrun):
        checked: bool | None = True
        confidence = min(1.0, 0.85 + density)
    elif density <= EMPTY / 2 and not overrun:
        checked, confidence = False, 0.97
    elif density <= EMPTY:
        checked, confidence = False, 0.85
    else:
        checked, confidence = None, UNCLEAR_CONFIDENCE
    return Checkbox(x0, y0, x1, y1, checked, round(confidence, 3), round(density, 4))


def _overrun(ink: Mask, x0: int, y0: int, x1: int, y1: int, side: int) -> bool:
    """Whether ink crosses the top of the outline into the band above it (a tick drawn past it).

    Only the top band: option labels sit to the right and would look like overrun.
    """
    margin = max(2, side // 3)
    gap = max(3, side // 6)
    top = ink[max(y0 - margin, 0):max(y0 - gap, 0), x0:x1]
    if not top.size:
        return False
    rows = top.mean(axis=1)
    strokes = rows[rows < 0.8]  # a fully inked row is ruling above the box, not a tick
    return bool(strokes.size) and float(strokes.mean()) > 0.04
