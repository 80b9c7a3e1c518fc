"""Document kinds: name -> context type, so uploads and the drift test check the right fields.

Authors of a new document kind (decision letter, pack cover...) add their context here
and a builder in ``form_templates/documents/build.py``; the template tests then check
the shipped template against the context automatically.
"""

from __future__ import annotations

from typing import Any

from renderers.agenda import AgendaContext
from renderers.errors import TemplateNotFound
from renderers.letters import FamilyLetterContext, ProfessionalSummaryContext, ReferrerNoticeContext
from renderers.templates import validate_template
from renderers.tracking_form import TrackingFormContext

CONTEXTS: dict[str, type[Any]] = {
    "agenda": AgendaContext,
    "family_letter": FamilyLetterContext,
    "family_letter_large_print": FamilyLetterContext,
    "referrer_notice": ReferrerNoticeContext,
    "professional_summary": ProfessionalSummaryContext,
    "tracking_form": TrackingFormContext,
}


def context_type(kind: str) -> type[Any]:
    """The context dataclass of a document kind."""
    try:
        return CONTEXTS[kind]
    except KeyError:
        raise TemplateNotFound(f"no document kind called {kind!r}") from None


def validate_upload(kind: str, docx_bytes: bytes) -> None:
    """Check a council's uploaded template before storing it (raises TemplateVariableError...)."""
    validate_template(docx_bytes, context_type(kind), kind)
