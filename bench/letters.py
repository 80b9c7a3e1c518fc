"""Family letter render times and a stored batch of 100 letters (issue 7's "Measured").

In-process with the renderers the service uses, no database. Per letter: the DOCX
(:func:`renderers.letters.render_family_letter` without a converter) and the DOCX plus
its tagged PDF through a warm :class:`~renderers.convert.DocxToPdfConverter` started
before timing (a worker starts it at boot), over ``count`` letters each. The batch:
``batch`` letters on two threads sharing a two-instance converter (one LibreOffice per
core), each letter's DOCX and PDF put into a temporary ``file://`` object store
(encrypted at rest, as in production) — wall clock from the first render to the last put.

Contexts are fictional but realistic: every letter has its own addressee, children and
case reference, real-length reasons and next steps, and a lead professional.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.stats import fmt_ms, median, percentile, table, verdict
from renderers.convert import DocxToPdfConverter, PdfOptions
from renderers.letters import FamilyLetterContext, LeadProfessional, render_family_letter
from storage import ObjectStore, StorageConfig, open_store
from storage.keys import random_key

DOCX_GOAL_S = 0.050
PDF_GOAL_S = 0.35
BATCH_GOAL_S = 20.0

FIRST_NAMES = ("Amira", "Zain", "Kacper", "Leah", "Tomasz", "Ruby", "Ismail", "Chloe", "Precious", "Jayden")
SURNAMES = ("Adeyemi", "Kowalczyk", "Hussain", "O'Connell", "Baptiste", "Whitfield", "Nowak", "Ahmed")
DECISIONS = (
    ("Help from a family support worker",
     "The panel agreed that a family support worker will help you and your children at home."),
    ("Help from the school's family team",
     "The panel agreed that the school's family team will meet with you every two weeks."),
    ("Advice and local groups",
     "The panel thinks that local groups and advice will help you most right now."),
)
REASONS = (
    "You told us that mornings are hard and the children are often late for school.",
    "The school is worried that your son has missed a lot of days this term.",
    "We think some help at home in the mornings would make a real difference to all of you.",
)
NEXT_STEPS = (
    "Your family support worker will call you within five working days to arrange a first visit.",
    "At the first visit you will agree together what you want to change and how.",
    "You can bring a friend or relative with you to any meeting.",
)


def family_letter(serial: int) -> FamilyLetterContext:
    """A fictional family letter, varied by ``serial``."""
    first = FIRST_NAMES[serial % len(FIRST_NAMES)]
    second = FIRST_NAMES[(serial * 3 + 1) % len(FIRST_NAMES)]
    surname = SURNAMES[serial % len(SURNAMES)]
    title, decision = DECISIONS[serial % len(DECISIONS)]
    return FamilyLetterContext(
        council_name="Luton Borough Council", panel_name="Area Family Support Panel",
        letter_date="Tuesday 3 March 2026", addressee=f"Ms {FIRST_NAMES[(serial + 5) % 10]} {surname}",
        case_ref=f"EH-2026-{serial:05d}", children=f"{first} and {second}",
        decision_title=title, decision=decision, reasons=REASONS,
        lead=LeadProfessional(name="Bernadette Okafor", role="a family support worker",
                              agency="Northfield Primary and Nursery Academy Family Support Service",
                              phone="01582 000 000", email="family.support@example.org"),
        next_steps=NEXT_STEPS, review_date="Tuesday 14 April 2026",
        withdraw_contact="call the panel on 01582 111 111",
        complaints_contact="write to the complaints team at the town hall, or call 01582 222 222")


def _timed(calls: list[FamilyLetterContext], render: Any) -> list[float]:
    render(calls[0])  # warm-up, untimed: template load, fonts, the converter's first document
    samples = []
    for ctx in calls:
        began = time.perf_counter()
        render(ctx)
        samples.append(time.perf_counter() - began)
    return samples


def _store_letter(store: ObjectStore, converter: DocxToPdfConverter, ctx: FamilyLetterContext) -> int:
    rendered = render_family_letter(ctx, converter=converter)
    assert rendered.pdf is not None  # a converter was given
    store.put(random_key("rendered", suffix=".docx"), rendered.docx,
              content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    store.put(random_key("rendered", suffix=".pdf"), rendered.pdf, content_type="application/pdf")
    return len(rendered.docx) + len(rendered.pdf)


def batch_seconds(contexts: list[FamilyLetterContext], workers: int = 2) -> tuple[float, int, bool]:
    """(wall seconds, bytes stored, converter fell back to cold soffice) for every letter, stored."""
    with tempfile.TemporaryDirectory(prefix="mapdocs-bench-letters-") as root, \
            DocxToPdfConverter(instances=workers) as converter:
        store = open_store(StorageConfig(url=f"file://{root}", encryption_key=os.urandom(32),
                                         key_secret=os.urandom(32)))
        converter.start()
        _store_letter(store, converter, contexts[0])  # warm-up, untimed
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            stored = sum(pool.map(lambda ctx: _store_letter(store, converter, ctx), contexts))
        return time.perf_counter() - began, stored, converter.using_fallback


def main(*, count: int, batch: int) -> dict[str, Any]:
    contexts = [family_letter(serial) for serial in range(1, count + 1)]
    docx = _timed(contexts, render_family_letter)
    with DocxToPdfConverter(instances=1) as converter:
        converter.start()
        one = render_family_letter(contexts[0])
        convert_only = _timed(contexts, lambda _ctx: converter.convert(one.docx, PdfOptions(tagged=True)))
        both = _timed(contexts, lambda ctx: render_family_letter(ctx, converter=converter))
        fallback = converter.using_fallback
    total, stored, batch_fallback = batch_seconds([family_letter(serial) for serial in range(1, batch + 1)])

    rows = [
        ["DOCX", fmt_ms(median(docx)), fmt_ms(percentile(docx, 95)), f"≤ {DOCX_GOAL_S * 1000:.0f} ms",
         verdict(percentile(docx, 95), DOCX_GOAL_S)],
        ["PDF conversion only (warm)", fmt_ms(median(convert_only)), fmt_ms(percentile(convert_only, 95)),
         "", ""],
        ["DOCX + PDF (warm)", fmt_ms(median(both)), fmt_ms(percentile(both, 95)),
         f"≤ {PDF_GOAL_S * 1000:.0f} ms", verdict(percentile(both, 95), PDF_GOAL_S)],
        [f"batch of {batch}, DOCX + PDF stored, 2 threads × 2 instances (total)", f"{total:.1f} s", "",
         f"≤ {BATCH_GOAL_S:.0f} s", verdict(total, BATCH_GOAL_S)],
    ]
    cold = " — WARNING: the converter fell back to cold soffice" if fallback or batch_fallback else ""
    print(f"Family letters, in-process, wall clock: {count} timed letters per row (after one untimed), "
          f"batch into a temporary file:// store{cold}")
    print(table(["letter", "p50 ms", "p95 ms", "goal", ""], rows))
    return {
        "count": count, "docx_median_s": median(docx), "docx_p95_s": percentile(docx, 95),
        "convert_median_s": median(convert_only), "convert_p95_s": percentile(convert_only, 95),
        "docx_pdf_median_s": median(both), "docx_pdf_p95_s": percentile(both, 95),
        "batch": batch, "batch_s": total, "batch_bytes": stored,
        "fallback": fallback or batch_fallback,
        "goals": {"docx_s": DOCX_GOAL_S, "pdf_s": PDF_GOAL_S, "batch_s": BATCH_GOAL_S},
    }
