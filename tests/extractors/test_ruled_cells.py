"""Cells and tables from ruling: rectangles, separate lines, inset field backgrounds."""

from __future__ import annotations

from extractors.ruled_cells import find_cells, group_tables, table_rows
from extractors.words import Box, Rect


def corners(cells: list[Box]) -> list[tuple[int, int, int, int]]:
    return sorted((round(c.x0), round(c.top), round(c.x1), round(c.bottom)) for c in cells)


def test_cells_are_found_from_ruling_lines_as_well_as_rectangles() -> None:
    lines = [Rect(Box(40, y, 300, y + 0.5)) for y in (100, 120, 140)] + \
            [Rect(Box(x, 100, x + 0.5, 140)) for x in (40, 150, 300)]
    assert corners(find_cells(lines)) == [(40, 100, 150, 120), (40, 120, 150, 140), (150, 100, 300, 120),
                                          (150, 120, 300, 140)]


def test_inset_field_backgrounds_snap_onto_their_cell() -> None:
    cells = [Rect(Box(40, 100, 150, 120)), Rect(Box(150, 100, 300, 120)),
             Rect(Box(151.2, 101.2, 298.8, 118.8), filled=True, stroked=False)]
    assert len(find_cells(cells)) == 2


def test_touching_cells_make_one_table_and_rows_share_a_top_edge() -> None:
    grid = [Rect(Box(x0, y0, x1, y1)) for y0, y1 in ((100, 120), (120, 150))
            for x0, x1 in ((40, 150), (150, 300))]
    apart = [Rect(Box(40, 300, 300, 320))]
    tables = group_tables(find_cells(grid + apart))
    assert [len(t) for t in tables] == [4, 1]
    assert [[round(c.x0) for c in row] for row in table_rows(tables[0])] == [[40, 150], [40, 150]]
