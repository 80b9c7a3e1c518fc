"""Typed contexts for documents, and the small helpers every document kind needs.

A document kind is one frozen dataclass (its context) and one render function. Contexts
hold what the document may show and nothing else: panel documents carry a case reference
and initials, never a name, so a template cannot print what it was never given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Words that are not part of a person's initials ("Mary-Jane van der Berg" -> "M.J.v.B." is
# what families expect less than "M.J.B."), kept small on purpose.
_PARTICLES = {"van", "von", "der", "den", "de", "da", "di", "du", "la", "le", "al", "el", "bin", "binti"}
_NAME_PART = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)

document_context = dataclass(frozen=True, slots=True, kw_only=True)
"""Decorator for context dataclasses: frozen (built once, never edited while rendering)."""


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A rendered document: the Word file always, the PDF when a converter was given."""

    docx: bytes
    pdf: bytes | None = None


def initials(full_name: str) -> str:
    """Initials of a name, upper case with full stops: ``"amira khan" -> "A.K."``.

    Hyphenated parts each count ("Mary-Jane Obi" -> "M.J.O."); particles like "van der"
    are skipped; an empty or unreadable name gives ``"?"`` so a row never goes blank.
    """
    parts = [p for p in _NAME_PART.findall(full_name) if p.lower() not in _PARTICLES]
    if not parts:
        return "?"
    return "".join(f"{p[0].upper()}." for p in parts)


def age_on(date_of_birth: date, on: date) -> int:
    """Whole years of age on a date (a 29 February birthday counts on 28 February)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return max(years, 0)


def age_label(date_of_birth: date | None, on: date) -> str:
    """Age for documents: ``"7"``, ``"8 months"`` under one, ``"unborn"``, ``"not known"``."""
    if date_of_birth is None:
        return "not known"
    if date_of_birth > on:
        return "unborn"
    years = age_on(date_of_birth, on)
    if years >= 1:
        return str(years)
    months = (on.year - date_of_birth.year) * 12 + on.month - date_of_birth.month
    if on.day < date_of_birth.day:
        months -= 1
    return f"{max(months, 0)} month{'s' if months != 1 else ''}"


def long_date(value: date) -> str:
    """British long date for documents: ``"Tuesday 3 March 2026"``."""
    return f"{value:%A} {value.day} {value:%B %Y}"
