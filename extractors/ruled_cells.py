"""Table cells from a page's ruling: rectangle edges and lines, snapped, joined and intersected.

The approach is pdfplumber's table finder: edges closer than ``SNAP`` points become
one, collinear pieces are joined, and a cell is the smallest rectangle whose corners
are intersections connected by edges on all four sides. It works the same whether a
generator drew each cell as a rectangle or the grid as separate lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extractors.words import Box, Rect

SNAP = 3.0  # points: ruling closer than this is one edge
_MAX_INTERSECTION_TESTS = 400_000


@dataclass
class _Edge:
    at: float  # y of a horizontal edge, x of a vertical one
    start: float
    end: float


def is_checkbox_square(box: Box) -> bool:
    return 4.0 <= box.width <= 16.0 and 4.0 <= box.height <= 16.0 and 0.7 <= box.width / box.height <= 1.4


def _edges(rects: Sequence[Rect]) -> tuple[list[_Edge], list[_Edge]]:
    horizontal: list[_Edge] = []
    vertical: list[_Edge] = []
    for rect in rects:
        b = rect.box
        if b.width < 2.0 and b.height < 2.0:
            continue
        if b.height < 2.0:
            horizontal.append(_Edge(b.cy, b.x0, b.x1))
        elif b.width < 2.0:
            vertical.append(_Edge(b.cx, b.top, b.bottom))
        else:
            horizontal += [_Edge(b.top, b.x0, b.x1), _Edge(b.bottom, b.x0, b.x1)]
            vertical += [_Edge(b.x0, b.top, b.bottom), _Edge(b.x1, b.top, b.bottom)]
    return _join(horizontal), _join(vertical)


def _join(edges: list[_Edge]) -> list[_Edge]:
    """Snap edges within ``SNAP`` of each other to one coordinate and merge overlaps."""
    if not edges:
        return []
    edges.sort(key=lambda e: e.at)
    clusters: list[list[_Edge]] = [[edges[0]]]
    for edge in edges[1:]:
        if edge.at - clusters[-1][-1].at <= SNAP:
            clusters[-1].append(edge)
        else:
            clusters.append([edge])
    joined: list[_Edge] = []
    for cluster in clusters:
        at = sum(e.at for e in cluster) / len(cluster)
        cluster.sort(key=lambda e: e.start)
        current = _Edge(at, cluster[0].start, cluster[0].end)
        for edge in cluster[1:]:
            if edge.start <= current.end + SNAP:
                current.end = max(current.end, edge.end)
            else:
                joined.append(current)
                current = _Edge(at, edge.start, edge.end)
        joined.append(current)
    return joined


def find_cells(rects: Sequence[Rect]) -> list[Box]:
    """Smallest ruled rectangles: corners at edge intersections joined by edges on all sides."""
    horizontal, vertical = _edges(rects)
    if not horizontal or not vertical or len(horizontal) * len(vertical) > _MAX_INTERSECTION_TESTS:
        return []  # no grid, or hatching/charts rather than form cells: read the page as text
    tol = SNAP
    points: dict[tuple[int, int], tuple[float, float]] = {}
    h_of: dict[tuple[int, int], int] = {}
    v_of: dict[tuple[int, int], int] = {}
    for hi, h in enumerate(horizontal):
        for vi, v in enumerate(vertical):
            if h.start - tol <= v.at <= h.end + tol and v.start - tol <= h.at <= v.end + tol:
                points[(hi, vi)] = (v.at, h.at)
                h_of[(hi, vi)] = hi
                v_of[(hi, vi)] = vi
    by_h: dict[int, list[int]] = {}
    by_v: dict[int, list[int]] = {}
    for hi, vi in points:
        by_h.setdefault(hi, []).append(vi)
        by_v.setdefault(vi, []).append(hi)
    for lst in by_h.values():
        lst.sort(key=lambda vi: vertical[vi].at)
    for lst in by_v.values():
        lst.sort(key=lambda hi: horizontal[hi].at)
    cells: list[Box] = []
    for (hi, vi), (x, y) in points.items():
        # walk right along this horizontal edge, down along this vertical edge
        rights = [v2 for v2 in by_h[hi] if vertical[v2].at > x + tol]
        downs = [h2 for h2 in by_v[vi] if horizontal[h2].at > y + tol]
        found = False
        for h2 in downs:
            for v2 in rights:
                if (h2, v2) in points:
                    x1, y1 = vertical[v2].at, horizontal[h2].at
                    cells.append(Box(x, y, x1, y1))
                    found = True
                    break
            if found:
                break
    return [c for c in cells if c.width >= 8 and c.height >= 6]


def group_tables(cells: list[Box]) -> list[list[Box]]:
    """Group cells that share an edge into tables."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(cells)), key=lambda i: (cells[i].top, cells[i].x0))
    for a_pos, a in enumerate(order):
        ca = cells[a]
        for b in order[a_pos + 1:]:
            cb = cells[b]
            if cb.top > ca.bottom + SNAP:
                break
            touch_x = (abs(ca.x1 - cb.x0) <= SNAP or abs(cb.x1 - ca.x0) <= SNAP) and \
                min(ca.bottom, cb.bottom) - max(ca.top, cb.top) > 1
            touch_y = (abs(ca.bottom - cb.top) <= SNAP or abs(cb.bottom - ca.top) <= SNAP) and \
                min(ca.x1, cb.x1) - max(ca.x0, cb.x0) > 1
            if touch_x or touch_y:
                parent[root(a)] = root(b)
    groups: dict[int, list[Box]] = {}
    for i in order:
        groups.setdefault(root(i), []).append(cells[i])
    return sorted(groups.values(), key=lambda g: (min(c.top for c in g), min(c.x0 for c in g)))


def overlaps(a: Box, b: Box, fraction: float) -> bool:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.bottom, b.bottom) - max(a.top, b.top)
    if w <= 0 or h <= 0:
        return False
    smaller = min(a.width * a.height, b.width * b.height) or 1.0
    return w * h / smaller >= fraction


def table_rows(table: list[Box]) -> list[list[Box]]:
    rows: list[list[Box]] = []
    for cell in sorted(table, key=lambda c: (c.top, c.x0)):
        if rows and abs(rows[-1][0].top - cell.top) <= SNAP:
            rows[-1].append(cell)
        else:
            rows.append([cell])
    for row in rows:
        row.sort(key=lambda c: c.x0)
    return rows


def dedupe_boxes(boxes: list[Box]) -> list[Box]:
    out: list[Box] = []
    for box in sorted(boxes, key=lambda b: -b.width * b.height):
        if not any(overlaps(box, kept, 0.5) for kept in out):
            out.append(box)
    return out
