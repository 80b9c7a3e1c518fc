"""The one-page case summary that opens each case in an agenda pack.

Drawn directly with ReportLab rather than through a Word template: a pack holds up to
twenty-odd summaries and each must cost milliseconds, not a LibreOffice round trip
(0.25 s each would spend the whole pack budget). The context holds a case reference,
initials and ages, never a name; free text (strengths, needs...) is passed through
:func:`redact_names` by the caller with the family's names, because a referrer's
"Amira is doing well at school" would otherwise print a child's name in every pack.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from renderers.context import initials
from renderers.errors import RenderError

KIND = "case_summary"
#: room at the top and bottom of each page for the pack's marking and page number stamps
_MARGIN_Y = 22 * mm
_MARGIN_X = 18 * mm
#: words in a recorded "name" that are not names ("Unborn baby of ...")
_NOT_NAMES = frozenset({"unborn", "baby", "child", "the", "and", "not", "known"})


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryChild:
    """A child as a pack may show them: initials and an age label ("7", "8 months", "unborn")."""

    initials: str
    age: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryOutcome:
    outcome: str
    success_criteria: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentEvidence:
    """One consent statement: who (a role, never a name), when (already formatted) and its scope."""

    given_by: str
    on: str
    scopes: tuple[str, ...]
    kind: str = "given"
    how_recorded: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseSummaryContext:
    """Everything a case summary page shows. ``basis`` is "consent" or "safeguarding (...)"."""

    case_ref: str
    section: str
    panel_name: str
    meeting_date: str
    children: tuple[SummaryChild, ...]
    level_of_need: str
    basis: str
    strengths: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    outcomes: tuple[SummaryOutcome, ...] = ()
    agencies: tuple[str, ...] = ()
    consent: tuple[ConsentEvidence, ...] = ()
    findings: tuple[str, ...] = ()


class SummaryError(RenderError):
    """The summary could not be drawn (a bug or a pathological context, never the family's data)."""


def redact_names(text: str, names: Iterable[str]) -> str:
    """Replace each full name, then each of its parts (3+ letters), by the name's initials.

    Whole words only and case-insensitive, longest first, so "Amira Khan" and then a lone
    "Amira" both become "A.K."; short parts ("Al") are left, since they match ordinary words.
    """
    replacements: list[tuple[str, str]] = []
    for name in names:
        name = " ".join(name.split())
        if not name:
            continue
        mark = initials(name)
        replacements.append((name, mark))
        replacements.extend((part, mark) for part in re.split(r"[\s\-]+", name)
                            if len(part) >= 3 and part.lower() not in _NOT_NAMES)
    for word, mark in sorted(replacements, key=lambda item: -len(item[0])):
        text = re.sub(rf"(?<![\w]){re.escape(word)}(?![\w])", mark, text, flags=re.IGNORECASE)
    return text


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("MdBody", parent=base["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12)
    return {
        "title": ParagraphStyle("MdTitle", parent=base["Title"], fontName="Helvetica-Bold", fontSize=16,
                                leading=19, alignment=0, spaceAfter=2),
        "sub": ParagraphStyle("MdSub", parent=body, textColor=colors.HexColor("#444444")),
        "heading": ParagraphStyle("MdHeading", parent=body, fontName="Helvetica-Bold", fontSize=11,
                                  leading=14, spaceBefore=7, spaceAfter=2),
        "body": body,
        "cell": ParagraphStyle("MdCell", parent=body, fontSize=9, leading=11),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _bullets(items: Sequence[str], style: ParagraphStyle, empty: str) -> Flowable:
    if not items:
        return _p(empty, style)
    return ListFlowable([ListItem(_p(item, style), leftIndent=10) for item in items],
                        bulletType="bullet", start="\u2022", leftIndent=10, bulletFontSize=8)


def _table(rows: list[list[Flowable]], widths: Sequence[float]) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def _story(ctx: CaseSummaryContext) -> list[Flowable]:
    s = _styles()
    width = A4[0] - 2 * _MARGIN_X
    story: list[Flowable] = [
        _p(f"Case {ctx.case_ref}", s["title"]),
        _p(f"{ctx.section} \u2014 {ctx.panel_name}, {ctx.meeting_date}", s["sub"]),
        _p(f"Level of need: {ctx.level_of_need}    Basis for sharing: {ctx.basis}", s["sub"]),
        _p("Children", s["heading"]),
    ]
    children = [[_p("Initials", s["cell"]), _p("Age", s["cell"])]]
    children += [[_p(c.initials, s["cell"]), _p(c.age, s["cell"])] for c in ctx.children]
    if not ctx.children:
        children.append([_p("none recorded", s["cell"]), _p("", s["cell"])])
    story.append(_table(children, (width * 0.5, width * 0.5)))
    story += [_p("Strengths", s["heading"]), _bullets(ctx.strengths, s["body"], "None recorded."),
              _p("Needs", s["heading"]), _bullets(ctx.needs, s["body"], "None recorded."),
              _p("Desired outcomes", s["heading"])]
    if ctx.outcomes:
        rows = [[_p("Outcome", s["cell"]), _p("Success criteria", s["cell"])]]
        rows += [[_p(o.outcome, s["cell"]), _p(o.success_criteria or "not stated", s["cell"])]
                 for o in ctx.outcomes]
        story.append(_table(rows, (width * 0.55, width * 0.45)))
    else:
        story.append(_p("None recorded.", s["body"]))
    story += [_p("Agencies involved", s["heading"]),
              _p(", ".join(ctx.agencies) if ctx.agencies else "None recorded.", s["body"]),
              _p("Consent", s["heading"])]
    if ctx.consent:
        rows = [[_p(h, s["cell"]) for h in ("Who", "When", "Scope", "Statement")]]
        rows += [[_p(c.given_by, s["cell"]), _p(c.on, s["cell"]), _p(", ".join(c.scopes), s["cell"]),
                  _p(c.kind + (f" ({c.how_recorded})" if c.how_recorded else ""), s["cell"])]
                 for c in ctx.consent]
        story.append(_table(rows, (width * 0.2, width * 0.2, width * 0.35, width * 0.25)))
    else:
        story.append(_p("No consent recorded.", s["body"]))
    story += [_p("Findings", s["heading"]), _bullets(ctx.findings, s["body"], "No findings."),
              Spacer(1, 4)]
    return story


def render_case_summary(ctx: CaseSummaryContext) -> bytes:
    """The summary as PDF bytes (usually one A4 page; long free text flows onto a second)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=_MARGIN_X, rightMargin=_MARGIN_X,
                            topMargin=_MARGIN_Y, bottomMargin=_MARGIN_Y,
                            title=f"Case summary {ctx.case_ref}", author="mapdocs", pageCompression=1)
    try:
        doc.build(_story(ctx))
    except Exception as exc:  # noqa: BLE001  (ReportLab raises bare LayoutError/ValueError)
        raise SummaryError(f"the case summary could not be laid out ({type(exc).__name__})") from None
    return out.getvalue()
