"""The tracking form renderer: every section drawn from the context, CSV shape, a tagged PDF."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest
from docx import Document

from renderers.convert import DocxToPdfConverter
from renderers.tracking_form import (
    CSV_COLUMNS,
    TrackingAction,
    TrackingFormContext,
    TrackingRating,
    TrackingReview,
    render_tracking_form,
    tracking_csv,
)


def _ctx() -> TrackingFormContext:
    return TrackingFormContext(
        panel_name="Test Panel", council_name="Test Council", case_ref="BAR-2026-0042", initials="A.K.",
        support_package="Start an early help assessment. Help with sleep, \"speech\" and routines.",
        lead_name="Test Lead Epsilon", lead_agency="Early Help Hub", lead_contact="020 7946 0000",
        next_review="Tuesday 26 January 2027", generated_on="Tuesday 15 December 2026",
        reviews=(TrackingReview(date="Tuesday 15 December 2026", decision="Start an early help assessment",
                                next_review="Tuesday 26 January 2027",
                                lead="Test Lead Epsilon, Early Help Hub"),),
        actions=(TrackingAction(what="Book a hearing test", who="Health visitor",
                                by_when="Friday 1 January 2027", status="open"),),
        desired_outcomes=("Bedtime is calm", "Speech is clearer"),
        ratings=(TrackingRating(outcome="Bedtime is calm", review_date="Tuesday 26 January 2027",
                                rating="6/10", note="Most nights settled, by 8pm"),))


def _text(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_shows_every_section() -> None:
    rendered = render_tracking_form(_ctx())
    text = _text(rendered.docx)
    for expected in ("BAR-2026-0042", "A.K.", "Book a hearing test", "Health visitor", "Bedtime is calm",
                     "Speech is clearer", "6/10", "Most nights settled", "Tuesday 26 January 2027",
                     "Test Lead Epsilon", '"speech"'):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
    assert rendered.pdf is None


def test_empty_sections_are_left_out() -> None:
    empty = dataclasses.replace(_ctx(), actions=(), ratings=(), desired_outcomes=())
    text = _text(render_tracking_form(empty).docx)
    assert "Actions" not in text and "Progress at each review" not in text


def test_csv_has_one_row_per_review_action_and_rating() -> None:
    rows = list(csv.reader(io.StringIO(tracking_csv(_ctx()).decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][:3] == ["review", "Tuesday 15 December 2026", "Start an early help assessment"]
    assert rows[2][2:6] == ["Book a hearing test", "Health visitor", "Friday 1 January 2027", "open"]
    assert rows[3][6:] == ["6/10", "Most nights settled, by 8pm"]  # the comma stays inside its field


@pytest.mark.slow
def test_pdf_is_tagged(converter: DocxToPdfConverter) -> None:
    pdf = render_tracking_form(_ctx(), converter=converter).pdf
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert b"/StructTreeRoot" in pdf
