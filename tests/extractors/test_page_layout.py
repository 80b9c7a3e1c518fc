"""Row reconstruction from page words (no PDF needed: the OCR path feeds the same model)."""

from __future__ import annotations

from extractors.layout import Layout, PdfLocation, Row
from extractors.page_layout import build_layout
from extractors.words import Box, InputBox, Rect
from tests.extractors.pdf_builders import cell_rects, page, word, words_line


def texts(row: Row) -> list[str]:
    return [c.text for c in row.cells]


def rows_with(layout: Layout, text: str) -> list[Row]:
    return [r for r in layout.rows if text in r.text]


def test_wrapped_lines_in_a_cell_join_but_bullets_and_short_lines_do_not() -> None:
    words = (words_line("- Family are open to support", 43, 103)
             + words_line("and engaged", 52, 115)
             + words_line("- Mum attends", 43, 127)
             + words_line("Plain item", 43, 139)
             + words_line("Another item", 43, 151))
    layout = build_layout([page(words=words, rects=cell_rects([40, 200], [100, 170]))], "test")
    (row,) = layout.rows
    assert row.kind == "table"
    assert row.cells[0].lines == ["- Family are open to support and engaged", "- Mum attends",
                                  "Plain item", "Another item"]


def test_label_above_box_gives_a_heading_row_then_the_box() -> None:
    words = words_line("Strengths", 40, 80, bold=True) + words_line("Mum is warm", 45, 104)
    layout = build_layout([page(words=words, rects=cell_rects([40, 300], [100, 140]))], "test")
    assert [r.kind for r in layout.rows] == ["heading", "table"]
    assert layout.rows[0].text == "Strengths"
    assert layout.rows[1].cells[0].lines == ["Mum is warm"]
    loc = layout.rows[1].cells[0].location
    assert isinstance(loc, PdfLocation) and (loc.page, round(loc.x0), round(loc.top)) == (1, 40, 100)


def test_multi_column_table_continues_across_a_page_break() -> None:
    xs = [40, 200, 360, 520]
    first = page(1, words=(words_line("Strengths", 43, 503) + words_line("Needs", 203, 503)
                           + words_line("Desired outcome", 363, 503) + words_line("- Kind", 43, 523)
                           + words_line("- Debt", 203, 523) + words_line("- Housed", 363, 523)),
                 rects=cell_rects(xs, [500, 518, 560]))
    second = page(2, words=(words_line("- Loves art", 43, 63) + words_line("- Sleep", 203, 63)
                            + words_line("After the table", 40, 150)),
                  rects=cell_rects(xs, [60, 100]))
    layout = build_layout([first, second], "test")
    table_rows = [r for r in layout.rows if r.kind == "table"]
    assert [texts(r) for r in table_rows] == [["Strengths", "Needs", "Desired outcome"],
                                              ["- Kind", "- Debt", "- Housed"],
                                              ["- Loves art", "- Sleep", ""]]
    assert len({r.table for r in table_rows}) == 1
    assert layout.rows[-1].text == "After the table"


def test_tick_glyphs_beside_options_become_marks_without_glyphs_in_text() -> None:
    line = words_line("Interpreter required?", 40, 100) + [word("☐", 200, 100), word("Yes", 212, 100),
                                                           word("☒", 240, 100), word("No", 252, 100)]
    layout = build_layout([page(words=line)], "test")
    (row,) = layout.rows
    question, options = row.cells
    assert question.text == "Interpreter required?"
    assert [(m.label, m.checked) for m in options.marks] == [("Yes", False), ("No", True)]
    assert "☒" not in options.text and "☐" not in options.text


def test_drawn_squares_are_checked_by_a_glyph_or_ink_inside() -> None:
    squares = [Rect(Box(200, 100, 209, 109)), Rect(Box(240, 100, 249, 109)), Rect(Box(280, 100, 289, 109))]
    words = (words_line("Level of need", 43, 99) + [word("Universal", 211, 99), word("Targeted", 251, 99),
                                                   word("X", 202, 99, size=7), word("Complex", 291, 99)])
    ink = [Box(281, 101, 288, 108)]  # a drawn cross in the third box
    layout = build_layout([page(words=words, rects=[*cell_rects([40, 195, 400], [95, 115]), *squares],
                                ink=ink)], "test")
    marks = [m for c in layout.rows[0].cells for m in c.marks]
    assert [(m.label, m.checked) for m in marks] == [("Universal", True), ("Targeted", False),
                                                     ("Complex", True)]
    assert "X" not in layout.rows[0].text.split()


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    pages = [page(n, words=(words_line("OFFICIAL – SENSITIVE", 420, 18, size=7)
                            + words_line(f"Body text {n}", 40, 300)
                            + words_line(f"Council form v2 Page {n}", 40, 815, size=7)))
             for n in (1, 2)]
    layout = build_layout(pages, "test")
    assert [r.text for r in layout.rows] == ["Body text 1", "Body text 2"]


def test_free_line_splits_at_large_gaps_into_label_and_value() -> None:
    layout = build_layout([page(words=words_line("Name", 40, 100) + words_line("Jane Smith", 200, 101))],
                          "test")
    assert texts(layout.rows[0]) == ["Name", "Jane Smith"]


def test_cell_confidence_is_the_lowest_word_confidence() -> None:
    words = [word("Sam", 45, 104, confidence=0.95), word("Ward", 70, 104, confidence=0.55)]
    layout = build_layout([page(words=words, rects=cell_rects([40, 300], [100, 120]))], "ocr")
    assert layout.rows[0].cells[0].confidence == 0.55


def test_inputs_become_input_cells_and_checkbox_marks() -> None:
    p = page(words=words_line("Name", 43, 104) + words_line("Yes", 212, 128) + words_line("No", 252, 128)
             + words_line("Consent?", 43, 128),
             rects=cell_rects([40, 195, 400], [100, 120, 140]))
    p.inputs = [InputBox(Box(196, 101, 399, 119), "text", ("Jane", "Smith"), field_name="Text1"),
                InputBox(Box(200, 127, 209, 136), "checkbox", checked=False, field_name="Check Box1"),
                InputBox(Box(240, 127, 249, 136), "checkbox", checked=True, field_name="Check Box2")]
    layout = build_layout([p], "pdf-acroform")
    name_row, consent_row = layout.rows
    assert texts(name_row) == ["Name", "Jane Smith"]
    assert name_row.cells[1].is_input and name_row.cells[1].field_name == "Text1"
    assert name_row.cells[1].lines == ["Jane", "Smith"]
    marks = [m for c in consent_row.cells for m in c.marks]
    assert [(m.label, m.checked) for m in marks] == [("Yes", False), ("No", True)]


def test_a_page_frame_around_label_value_lines_is_read_as_text() -> None:
    words = (words_line("Name", 40, 100) + words_line("Jane Smith", 200, 100)
             + words_line("Date of birth", 40, 114) + words_line("01/02/2015", 200, 114)
             + words_line("School", 40, 128) + words_line("Oak Primary", 200, 128))
    layout = build_layout([page(words=words, rects=cell_rects([20, 575], [20, 820]))], "test")
    assert [texts(r) for r in layout.rows] == [["Name", "Jane Smith"], ["Date of birth", "01/02/2015"],
                                               ["School", "Oak Primary"]]


def test_boxes_typed_as_brackets_are_marks() -> None:
    line = (words_line("Consent given?", 40, 100) + [word("[X]", 200, 100), word("Yes", 218, 100),
                                                     word("[", 250, 100), word("]", 258, 100),
                                                     word("No", 266, 100)])
    layout = build_layout([page(words=line)], "test")
    marks = [m for c in layout.rows[0].cells for m in c.marks]
    assert [(m.label, m.checked) for m in marks] == [("Yes", True), ("No", False)]


def test_a_one_page_footer_beside_its_page_number_is_dropped_whole() -> None:
    # a single page: nothing repeats, so only the page number marks the line as a footer
    words = (words_line("Excluded agencies", 40, 300) + words_line("Housing", 40, 320)
             + words_line("Hackney CSF", 40, 805, size=7) + words_line("Page 1", 500, 805, size=7))
    layout = build_layout([page(1, words=words)], "test")
    assert [r.text for r in layout.rows] == ["Excluded agencies", "Housing"]


def test_a_one_page_footer_naming_the_form_version_is_dropped_but_a_titled_version_stays() -> None:
    words = (words_line("Common Support Framework v4", 40, 30) + words_line("Body text", 40, 300)
             + words_line("Early help form version 2", 40, 790, size=7))
    layout = build_layout([page(1, words=words)], "test")
    assert [r.text for r in layout.rows] == ["Common Support Framework v4", "Body text"]


def test_body_text_near_the_foot_without_a_marker_stays() -> None:
    words = words_line("Body text", 40, 300) + words_line("Signed by the family support worker", 40, 790)
    layout = build_layout([page(1, words=words)], "test")
    assert [r.text for r in layout.rows] == ["Body text", "Signed by the family support worker"]
