"""Resolve the organisations a family excluded against a panel's agency directory.

Matching is tolerant (case, punctuation, "&"/"and", a bracketed acronym, generic
words such as "service", one-letter typos) but fails closed: no match, or more than
one agency, leaves the exclusion unresolved until a triage officer says which agency
it means, or that it is not a panel agency. A family's exclusion is never dropped.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from service.rules.model import Agency, Panel

NOT_A_PANEL_AGENCY = "not-a-panel-agency"
_GENERIC = frozenset(
    {"the", "service", "services", "team", "department", "dept", "local", "of", "for", "lbb"}
)
_FUZZY_RATIO = 0.9
_FUZZY_MIN_LENGTH = 6


def normalise(text: str) -> str:
    """Lower case, "&" as "and", apostrophes dropped, other punctuation as spaces, spaces collapsed."""
    text = text.lower().replace("&", " and ").replace(".", "")  # "W.D.P." is "wdp"
    text = re.sub(r"['\u2018\u2019`]", "", text)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


def variants(text: str) -> frozenset[str]:
    """The forms a name may be written in: whole, without its brackets, the bracketed part, core words."""
    forms = {normalise(text)}
    bracketed = re.findall(r"\(([^)]*)\)", text)
    forms.add(normalise(re.sub(r"\([^)]*\)", " ", text)))
    forms.update(normalise(b) for b in bracketed)
    forms.update(" ".join(w for w in f.split() if w not in _GENERIC) for f in list(forms))
    return frozenset(f for f in forms if f)


class MatchStatus(enum.StrEnum):
    MATCHED = "matched"
    RESOLVED = "resolved_by_triage"
    NOT_A_PANEL_AGENCY = "not_a_panel_agency"
    UNRESOLVED = "unresolved"
    AMBIGUOUS = "ambiguous"


@dataclass(frozen=True)
class ExclusionMatch:
    index: int
    text: str
    status: MatchStatus
    agency: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def settled(self) -> bool:
        return self.status in (MatchStatus.MATCHED, MatchStatus.RESOLVED, MatchStatus.NOT_A_PANEL_AGENCY)


@lru_cache(maxsize=1024)
def _names(agency: Agency) -> frozenset[str]:
    return frozenset().union(*(variants(n) for n in (agency.name, *agency.aliases)))


def match_agency(text: str, agencies: Sequence[Agency]) -> tuple[str, ...]:
    """Slugs of the agencies ``text`` may name: exact variant matches, else close spellings."""
    wanted = variants(text)
    exact = tuple(a.slug for a in agencies if wanted & _names(a))
    if exact:
        return exact
    long_forms = [w for w in wanted if len(w) >= _FUZZY_MIN_LENGTH]
    return tuple(
        a.slug
        for a in agencies
        if any(
            difflib.SequenceMatcher(None, w, n).ratio() >= _FUZZY_RATIO
            for w in long_forms
            for n in _names(a)
            if len(n) >= _FUZZY_MIN_LENGTH
        )
    )


def resolve_exclusions(
    texts: Iterable[str], panel: Panel, resolutions: Mapping[str, str] | None = None
) -> list[ExclusionMatch]:
    """Match each excluded organisation; a triage resolution (keyed by the text as written) wins."""
    by_key = {normalise(k): v for k, v in (resolutions or {}).items()}
    known = {a.slug for a in panel.agencies}
    out: list[ExclusionMatch] = []
    for index, text in enumerate(texts):
        resolved = by_key.get(normalise(text))
        if resolved == NOT_A_PANEL_AGENCY:
            out.append(ExclusionMatch(index, text, MatchStatus.NOT_A_PANEL_AGENCY))
        elif resolved in known:
            out.append(ExclusionMatch(index, text, MatchStatus.RESOLVED, agency=resolved))
        else:
            slugs = match_agency(text, panel.agencies)
            if len(slugs) == 1:
                out.append(ExclusionMatch(index, text, MatchStatus.MATCHED, agency=slugs[0]))
            elif slugs:
                out.append(ExclusionMatch(index, text, MatchStatus.AMBIGUOUS, candidates=slugs))
            else:
                out.append(ExclusionMatch(index, text, MatchStatus.UNRESOLVED))
    return out


def excluded_agency_slugs(matches: Iterable[ExclusionMatch]) -> frozenset[str]:
    """Agencies that must not receive this family's information (for packs and circulation)."""
    return frozenset(m.agency for m in matches if m.agency is not None)
