"""The rule table, in evaluation order. Adding a rule means adding it to a module's ``RULES``."""

from __future__ import annotations

from service.rules.checks import consent, content, eligibility, existing, safeguarding
from service.rules.checks.base import Rule

RULES: tuple[Rule, ...] = (
    *safeguarding.RULES,
    *consent.RULES,
    *eligibility.RULES,
    *existing.RULES,
    *content.RULES,
)

__all__ = ["RULES", "Rule"]
