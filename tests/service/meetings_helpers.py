"""Builders for the meetings and templates tests: ready referrals at a chosen time, Word text, templates."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from docx import Document as WordDocument
from sqlalchemy import update
from sqlalchemy.orm import Session

from renderers.templates import TEMPLATES_DIR
from service.models import Referral, ReferralEvaluation
from tests.service.referral_helpers import record_for, seed

UUID_LINE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n")
CASE_KEYS = {"case_id", "referral_id", "case_ref", "initials", "section", "slot", "late"}


def kids(*names: str, born: str = "2019-05-01") -> list[dict[str, Any]]:
    """Children for a record: distinct names keep referrals apart (no "existing work" match)."""
    return [{"full_name": name, "date_of_birth": born, "gender": None, "school_or_setting": None,
             "nhs_number": None, "upn": None} for name in names]


CHILDREN = kids("Amira Khan", "Bilal Khan")
#: words of every name in the records these tests seed: none may reach a panel document
NAME_WORDS = ("Amira", "Bilal", "Khan", "Test Parent Beta", "Test Referrer Gamma", "Test Manager Delta")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC)


def ready_referral(session: Session, panel: str, ready_at: dt.datetime, *, children: Any = None) -> Referral:
    """A referral routed ``ready_for_panel`` whose ready verdicts are dated ``ready_at``."""
    record = record_for(panel, children=children if children is not None else CHILDREN)
    referral = seed(session, record, panel=panel)
    assert referral.route == "ready_for_panel"
    session.execute(update(ReferralEvaluation).where(ReferralEvaluation.referral_id == referral.id)
                    .values(evaluated_at=ready_at))
    session.commit()
    return referral


def docx_text(data: bytes) -> str:
    """Every paragraph of a Word file (body, tables, headers, footers), one a line."""
    doc = WordDocument(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.extend(cell.text for cell in row.cells)
    for section in doc.sections:
        lines.extend(p.text for p in section.header.paragraphs)
        lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)


def agenda_template(old: str | None = None, new: str | None = None) -> bytes:
    """The shipped agenda template, with ``old`` replaced by ``new`` in its body XML."""
    source: bytes = (TEMPLATES_DIR / "agenda.docx").read_bytes()
    if old is None or new is None:
        return source
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert old in text, old
                data = text.replace(old, new, 1).encode("utf-8")
            zout.writestr(item, data)
    return out.getvalue()
