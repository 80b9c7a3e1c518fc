"""The family's support-plan tracking form (Hackney CSF tracking-form style): context, DOCX, PDF, CSV.

One form per family, regenerated at every review from the decisions and progress ratings
recorded so far: the support package, the agreed actions with their status, the review
dates, and progress on each desired outcome with a rating (0-10) at each review. Children
appear by initials; dates arrive already written for people.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from renderers.context import RenderedDocument
from renderers.convert import DocxToPdfConverter, PdfOptions
from renderers.templates import find_template, render_docx

KIND = "tracking_form"
#: the CSV's columns: one row per review, action and rating, so a spreadsheet can filter by ``section``
CSV_COLUMNS = ("section", "date", "item", "who", "by_when", "status", "rating", "note")


@dataclass(frozen=True, slots=True, kw_only=True)  # = document_context, spelt out for mypy
class TrackingReview:
    """One panel discussion of the family: when, what was decided, when it is next reviewed."""

    date: str
    decision: str
    next_review: str
    lead: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)  # = document_context, spelt out for mypy
class TrackingAction:
    what: str
    who: str
    by_when: str
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)  # = document_context, spelt out for mypy
class TrackingRating:
    """One desired outcome's rating at one review (``rating`` is "7/10"; ``note`` what changed)."""

    outcome: str
    review_date: str
    rating: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)  # = document_context, spelt out for mypy
class TrackingFormContext:
    panel_name: str
    council_name: str
    case_ref: str
    initials: str
    support_package: str
    lead_name: str
    lead_agency: str
    lead_contact: str
    next_review: str
    generated_on: str
    reviews: tuple[TrackingReview, ...] = ()
    actions: tuple[TrackingAction, ...] = ()
    desired_outcomes: tuple[str, ...] = ()
    ratings: tuple[TrackingRating, ...] = ()
    marking: str = "OFFICIAL-SENSITIVE"


def render_tracking_form(ctx: TrackingFormContext, *, template: Path | None = None,
                         converter: DocxToPdfConverter | None = None) -> RenderedDocument:
    """Render the form from the panel's template (or the shipped one); PDF if ``converter``."""
    docx = render_docx(find_template(KIND, template), ctx)
    pdf = converter.convert(docx, PdfOptions(tagged=True)) if converter is not None else None
    return RenderedDocument(docx=docx, pdf=pdf)


def tracking_csv(ctx: TrackingFormContext) -> bytes:
    """The same content as CSV (UTF-8 with BOM so Excel reads the accents)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for review in ctx.reviews:
        writer.writerow(["review", review.date, review.decision, review.lead, "", "", "",
                         f"next review {review.next_review}"])
    for action in ctx.actions:
        writer.writerow(["action", "", action.what, action.who, action.by_when, action.status, "", ""])
    for rating in ctx.ratings:
        writer.writerow(["progress", rating.review_date, rating.outcome, "", "", "", rating.rating,
                         rating.note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
