"""Agenda packs: one PDF per recipient agency, plus the full pack, from pages rendered once.

The expensive work (flattening each original, shrinking scans, drawing each summary,
converting each distinct agenda) happens once per case or per distinct agenda; each
agency's pack is then only an :func:`renderers.pdfops.assemble` of bytes already made,
which is what lets twenty agencies' packs come out in seconds.

Which cases an agency may see is decided by the caller (consent, exclusions, the
chair's decisions live in the service); this module only obeys a set of case ids per
recipient. A pack's cover and agenda say *how many* cases were withheld from it, never
which: the agenda callable receives the included ids and the withheld count.
"""

from __future__ import annotations

import io
import multiprocessing
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from renderers.agenda import AgendaCase, AgendaContext
from renderers.errors import RenderError
from renderers.pdfops import PackPart, assemble, downsample_scanned, flatten_form, image_to_pdf

FULL = "full"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff"})

#: ``agenda(included_case_ids, withheld) -> PDF``; called once per distinct included set
AgendaSource = Callable[[frozenset[str], int], bytes]


class PackError(RenderError):
    """The packs could not be put together as asked (a bad recipient slug, an unknown case)."""

    http_status = 422


@dataclass(frozen=True, slots=True)
class PackMeeting:
    """The meeting as the cover shows it; ``meeting_date`` already written for people."""

    meeting_id: str
    panel_name: str
    meeting_date: str


@dataclass(frozen=True, slots=True)
class PackCase:
    """One listed case's pages, prepared once: its summary and its originals (flat, scans shrunk)."""

    case_id: str
    case_ref: str
    initials: str
    summary: bytes
    originals: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a pack is for and the ids of the cases it may hold (in agenda order regardless)."""

    slug: str
    name: str
    cases: frozenset[str]


@dataclass(frozen=True, slots=True)
class BuiltPack:
    agency: str
    file: str
    cases: tuple[str, ...]
    withheld: int
    pdf: bytes


@dataclass(frozen=True, slots=True)
class PackSet:
    meeting_id: str
    packs: tuple[BuiltPack, ...]

    def manifest(self) -> dict[str, Any]:
        """Exactly ``{"meeting_id", "packs": [{"agency", "file", "cases", "withheld"}]}`` for scripts."""
        return {"meeting_id": self.meeting_id,
                "packs": [{"agency": p.agency, "file": p.file, "cases": list(p.cases), "withheld": p.withheld}
                          for p in self.packs]}

    def pack(self, agency: str) -> BuiltPack:
        for built in self.packs:
            if built.agency == agency:
                return built
        raise PackError(f"no pack for {agency!r} in this set")


def prepare_original(data: bytes, media_type: str, *, dpi: int = 150) -> bytes:
    """An original made ready for packs: images wrapped as A4 pages, forms flattened, scans shrunk.

    Do this once per case (it is the slow part), then hand the bytes to every pack.
    """
    if media_type in _IMAGE_TYPES:
        return image_to_pdf(data, dpi=dpi, greyscale=True, quality=60)
    if media_type != "application/pdf":
        raise PackError("only PDF and image originals can go into a pack; attach a PDF copy")
    return downsample_scanned(flatten_form(data), dpi=dpi, greyscale=True)


def _prepare_one(item: tuple[bytes, str, int]) -> bytes | str:
    """Worker body: the prepared PDF, or the class name of the RenderError that stopped it."""
    data, media_type, dpi = item
    try:
        return prepare_original(data, media_type, dpi=dpi)
    except RenderError as exc:
        return type(exc).__name__


def prepare_originals(items: Sequence[tuple[bytes, str]], *, dpi: int = 150,
                      workers: int = 1) -> list[bytes | None]:
    """:func:`prepare_original` for many originals; None where one cannot go into a pack.

    Flattening is pure-Python CPU work (~0.3-0.5 s for a 6-page filled form), so with
    ``workers`` > 1 it runs in that many fresh processes ("spawn": safe from a threaded
    web server, and no fork of a process holding database connections).
    """
    jobs = [(data, media_type, dpi) for data, media_type in items]
    if workers > 1 and len(jobs) > 1:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
            results = list(pool.map(_prepare_one, jobs))
    else:
        results = [_prepare_one(job) for job in jobs]
    return [result if isinstance(result, bytes) else None for result in results]


def render_cover(meeting: PackMeeting, case_refs: Sequence[str], withheld: int) -> bytes:
    """The cover sheet: panel, date, the case references the pack holds, how many were withheld, handling.

    It names no recipient, so agencies seeing the same cases share one assembled pack.
    """
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Agenda pack {meeting.meeting_date}")
    width, height = A4
    y = height - 110
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawString(60, y, "Panel agenda pack")
    lines = ((13, meeting.panel_name), (13, meeting.meeting_date))
    for size, line in lines:
        y -= 26
        pdf.setFont("Helvetica", size)
        pdf.drawString(60, y, line[:90])
    y -= 36
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(60, y, f"Cases in this pack: {len(case_refs)}")
    pdf.setFont("Helvetica", 10)
    for index, ref in enumerate(case_refs):
        column, row = divmod(index, 20)
        pdf.drawString(72 + column * 150, y - 16 * (row + 1), ref)
    y -= 16 * (min(len(case_refs), 20) + 1) + 14
    if withheld:
        pdf.setFont("Helvetica-Bold", 10)
        noun = "case has" if withheld == 1 else "cases have"
        pdf.drawString(60, y, f"{withheld} {noun} been withheld from this pack.")
        y -= 22
    pdf.setFont("Helvetica", 9)
    for line in ("Handle as OFFICIAL-SENSITIVE. This pack is for your agency's panel representative",
                 "only: do not forward, print only when needed, and delete it after the meeting unless your",
                 "agency's records policy says otherwise. Families appear by case reference and initials."):
        pdf.drawString(60, y, line)
        y -= 13
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def render_notice(text: str) -> bytes:
    """A page standing in for something a pack cannot include (an unreadable original)."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setFont("Helvetica", 11)
    y = A4[1] - 120
    words = text.split()
    while words:
        line = ""
        while words and len(line) + len(words[0]) < 85:
            line = f"{line} {words.pop(0)}".strip()
        if not line:  # one word longer than the line
            line = words.pop(0)[:85]
        pdf.drawString(60, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def render_plain_agenda(ctx: AgendaContext) -> bytes:
    """The agenda drawn directly (no Word template), for when LibreOffice is not available.

    Same content as the Word agenda: sections with slot, case reference and initials,
    and only the number of cases withheld from this copy.
    """
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"Agenda {ctx.meeting_date}")
    y = A4[1] - 80

    def line(text: str, font: str = "Helvetica", size: float = 10, gap: float = 15) -> None:
        nonlocal y
        if y < 70:
            pdf.showPage()
            y = A4[1] - 80
        pdf.setFont(font, size)
        pdf.drawString(60, y, text[:100])
        y -= gap

    line(ctx.panel_name, "Helvetica-Bold", 14, 20)
    line(f"Agenda \u2014 {ctx.meeting_date}, {ctx.start_time}\u2013{ctx.end_time}", gap=14)
    line(f"Venue: {ctx.venue}", gap=14)
    line(f"Chair: {ctx.chair}", gap=24)
    line("1. Welcome and introductions", "Helvetica-Bold", 11, 18)
    sections: tuple[tuple[str, tuple[AgendaCase, ...]], ...] = (
        ("2. New referrals", ctx.new_referrals), ("3. Reviews", ctx.reviews),
        ("4. Step-downs", ctx.step_downs))
    for title, cases in sections:
        line(title, "Helvetica-Bold", 11, 16)
        for case in cases:
            late = "  (late papers)" if case.late else ""
            line(f"{case.slot}   {case.case_ref}   {case.initials}{late}")
        if not cases:
            line("None.")
        y -= 6
    if ctx.withheld:
        noun = "case has" if ctx.withheld == 1 else "cases have"
        line(f"{ctx.withheld} {noun} been withheld from this copy of the agenda.", "Helvetica-Bold", 10, 20)
    line("5. Any other business", "Helvetica-Bold", 11, 16)
    for item in ctx.aob:
        line(item)
    if ctx.next_meeting:
        y -= 6
        line(f"Next meeting: {ctx.next_meeting}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _check(recipients: Sequence[Recipient], known: set[str]) -> None:
    seen: set[str] = set()
    for recipient in recipients:
        if not _SLUG.match(recipient.slug) or recipient.slug in seen:
            raise PackError(f"recipient slug {recipient.slug!r} is not a unique lower-case slug")
        seen.add(recipient.slug)
        unknown = recipient.cases - known
        if unknown:
            raise PackError(f"{len(unknown)} case id(s) given for {recipient.slug!r} are not in the meeting")


def build_packs(meeting: PackMeeting, cases: Sequence[PackCase], recipients: Sequence[Recipient],
                agenda: AgendaSource, *, listed: int | None = None) -> PackSet:
    """One pack per recipient (the full pack is simply a recipient holding every sendable case).

    ``cases`` are in agenda order and include every case any recipient may see;
    ``listed`` is how many cases the meeting lists in all (cases left out of every pack,
    e.g. consent withdrawn, count as withheld everywhere). Agendas are requested once per
    distinct included set, case parts are built once, and each distinct set is assembled
    once: twenty agencies seeing the same cases cost one assembly, not twenty.
    """
    by_id = {case.case_id: case for case in cases}
    _check(recipients, set(by_id))
    total = len(cases) if listed is None else listed
    parts: dict[str, PackPart] = {}
    for case in cases:
        children = tuple(PackPart(f"Original form {n}" if len(case.originals) > 1 else "Original form", pdf)
                         for n, pdf in enumerate(case.originals, start=1))
        parts[case.case_id] = PackPart(f"{case.case_ref} ({case.initials})", case.summary, children)
    # Recipients with the same cases get the same pack: assemble once per distinct set
    # (the cover names no recipient; each agency's own link is what makes it theirs).
    assembled: dict[frozenset[str], bytes] = {}
    built: list[BuiltPack] = []
    for recipient in recipients:
        included = tuple(case.case_id for case in cases if case.case_id in recipient.cases)
        withheld = total - len(included)
        key = frozenset(included)
        if key not in assembled:
            refs = [by_id[case_id].case_ref for case_id in included]
            pack_parts = [PackPart("Cover sheet", render_cover(meeting, refs, withheld)),
                          PackPart("Agenda", agenda(key, withheld)),
                          *(parts[case_id] for case_id in included)]
            title = f"{meeting.panel_name}: agenda pack, {meeting.meeting_date}"
            assembled[key] = assemble(pack_parts, title=title)
        built.append(BuiltPack(agency=recipient.slug, file=f"{recipient.slug}.pdf", cases=included,
                               withheld=withheld, pdf=assembled[key]))
    return PackSet(meeting_id=meeting.meeting_id, packs=tuple(built))
