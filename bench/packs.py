"""Agenda and agenda-pack timings: ``python -m bench.packs [--runs 3] [--json FILE]``.

Measured in-process with the renderers the service uses, no database: one agenda
(DOCX, and PDF through a warm LibreOffice), one agency's pack of 20 cases with 6-page
filled forms, and every pack of a meeting for 20 agencies plus the full pack. Each
pack run starts from the stored originals: flattening, scan shrinking and summaries
are paid once per case inside the timing, then each agency's pack is assembled from
those bytes (the way ``service.packs`` builds them). The converter is started before
timing (a worker starts it at boot).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from reportlab.pdfgen import canvas

from bench.stats import median, table, verdict
from renderers.agenda import AgendaCase, AgendaContext, render_agenda
from renderers.agenda_pack import (
    PackCase,
    PackMeeting,
    Recipient,
    build_packs,
    prepare_originals,
    render_plain_agenda,
)
from renderers.case_summary import (
    CaseSummaryContext,
    ConsentEvidence,
    SummaryChild,
    SummaryOutcome,
    render_case_summary,
)
from renderers.convert import DocxToPdfConverter, PdfOptions
from renderers.templates import find_template, render_docx

GOALS = {"one pack (20 cases)": 5.0, "all packs (20 agencies + full)": 20.0}
A4 = (595.28, 841.89)


def form_pdf(pages: int, serial: int) -> bytes:
    """A filled fillable form: ``pages`` pages of 20 text fields and 20 tick boxes each."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for page in range(pages):
        pdf.drawString(60, 800, f"Early help assessment {serial} section {page + 1}")
        for row in range(20):
            y = 760 - row * 34
            pdf.drawString(60, y + 4, f"Question {row + 1}")
            pdf.acroForm.textfield(name=f"p{page}_f{row}", value=f"answer {serial}.{page}.{row}", x=200, y=y,
                                   width=320, height=20, borderWidth=0)
            pdf.acroForm.checkbox(name=f"p{page}_c{row}", x=540, y=y, size=14, checked=row % 2 == 0)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def summary(n: int) -> bytes:
    return render_case_summary(CaseSummaryContext(
        case_ref=f"BAR-2026-{n:04d}", section="New referral", panel_name="Bench Panel",
        meeting_date="Tuesday 3 March 2026", children=(SummaryChild(initials="A.B.", age="7"),),
        level_of_need="3 (targeted)", basis="consent", strengths=("Warm parenting",) * 3,
        needs=("Housing is overcrowded",) * 4,
        outcomes=(SummaryOutcome(outcome="Settled", success_criteria="x"),),
        agencies=("School", "Health Visiting"),
        consent=(ConsentEvidence(given_by="Parent/carer", on="1 March 2026",
                                 scopes=("information sharing",)),)))


def agenda_context(refs: Sequence[str], withheld: int) -> AgendaContext:
    # keyword dicts: mypy does not see through renderers.context.document_context's alias
    cases: list[dict[str, Any]] = [{"case_ref": ref, "initials": "A.B.", "slot": "10:00"} for ref in refs]
    fields: dict[str, Any] = {
        "panel_name": "Bench Panel", "council_name": "Bench Council", "meeting_date": "Tuesday 3 March 2026",
        "start_time": "10:00", "end_time": "12:00", "venue": "Hub", "chair": "Panel chair",
        "new_referrals": tuple(AgendaCase(**case) for case in cases), "withheld": withheld}
    return AgendaContext(**fields)


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = time.perf_counter


def _timed(func: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = _clock()
        func()
        times.append(_clock() - started)
    return times


def main(*, runs: int = 3, cases: int = 20, pages: int = 6, agencies: int = 20,
         workers: int = 2, clock: str = "wall") -> dict[str, Any]:
    global _clock
    _clock = CLOCKS[clock]
    if clock == "cpu" and workers > 1:
        raise SystemExit("--clock cpu counts this process only: use it with --workers 1")
    converter = DocxToPdfConverter(instances=1, timeout=60) if shutil.which("soffice") else None
    if converter is not None:
        converter.start()
    template = find_template("agenda")
    originals = [form_pdf(pages, n) for n in range(cases)]
    refs = {f"c{n}": f"BAR-2026-{n:04d}" for n in range(cases)}
    meeting = PackMeeting(meeting_id="bench", panel_name="Bench Panel", meeting_date="Tuesday 3 March 2026")

    def agenda_pdf(included: frozenset[str], withheld: int) -> bytes:
        ctx = agenda_context([refs[c] for c in sorted(included)], withheld)
        if converter is None:
            return render_plain_agenda(ctx)
        pdf = render_agenda(ctx, converter=converter).pdf
        assert pdf is not None
        return pdf

    def prepared() -> list[PackCase]:
        ready = prepare_originals([(pdf, "application/pdf") for pdf in originals], workers=workers)
        return [PackCase(case_id=f"c{n}", case_ref=refs[f"c{n}"], initials="A.B.", summary=summary(n),
                         originals=(pdf,) if pdf else ()) for n, pdf in enumerate(ready)]

    everything = frozenset(refs)

    def one_pack() -> None:
        build_packs(meeting, prepared(), [Recipient(slug="police", name="Police", cases=everything)],
                    agenda_pdf)

    def all_packs() -> None:
        # a realistic mix: most agencies see every case, a few have one case withheld (3 distinct agendas)
        recipients = [Recipient(slug=f"agency-{n}", name=f"Agency {n}",
                                cases=everything - ({f"c{n % 2}"} if n % 7 == 0 else set()))
                      for n in range(agencies)]
        recipients.append(Recipient(slug="full", name="Chair", cases=everything))
        build_packs(meeting, prepared(), recipients, agenda_pdf)

    docx_times = _timed(lambda: render_docx(template, agenda_context(list(refs.values()), 0)), runs)
    rows: list[list[str]] = [["agenda DOCX", f"{median(docx_times):.3f}", "", ""]]
    figures: dict[str, Any] = {"agenda_docx_s": docx_times}
    if converter is not None:
        docx = render_docx(template, agenda_context(list(refs.values()), 0))
        pdf_times = _timed(lambda: converter.convert(docx, PdfOptions(tagged=True)), runs)
        rows.append(["agenda PDF (warm LibreOffice)", f"{median(pdf_times):.3f}", "", ""])
        figures["agenda_pdf_s"] = pdf_times
    for label, func in (("one pack (20 cases)", one_pack), ("all packs (20 agencies + full)", all_packs)):
        times = _timed(func, runs)
        figures[label] = times
        rows.append([label, f"{median(times):.3f}", f"≤ {GOALS[label]:.0f}",
                     verdict(median(times), GOALS[label])])
    if converter is not None:
        converter.close()
    print(f"Agenda packs: {cases} cases x {pages}-page filled forms, {workers} worker(s), {runs} runs, "
          f"{clock} clock, medians in seconds"
          + ("" if converter else " (no LibreOffice: plain agendas)"))
    print(table(["measure", "median s", "goal s", "verdict"], rows))
    return figures


def _cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.packs", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                        help="processes flattening originals (the service's PACKS_WORKERS)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall time, or this process's CPU time (steadier when busy; --workers 1)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{', '.join(f'{v:.2f}' for v in os.getloadavg())} (other work skews these figures)\n")
    figures = main(runs=args.runs, cases=args.cases, pages=args.pages, agencies=args.agencies,
                   workers=args.workers, clock=args.clock)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(_cli())
