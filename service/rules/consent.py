"""Consent as a timeline: given, refused and withdrawn events per scope, read at any moment.

The form's own consent box is one event; a later signed consent, or a family
withdrawing by phone, are further events. Packs and letters call
``consent_in_force`` again when they are built, because consent can change after
triage. Exclusions accumulate: once a family names an organisation it stays
excluded unless the record itself is corrected.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FORM = "form"


class Scope(enum.StrEnum):
    INFORMATION_SHARING = "information_sharing"
    PANEL_DISCUSSION = "panel_discussion"
    EARLY_HELP = "early_help"


class EventKind(enum.StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    #: exclusions stated without any consent answer: they bind, but no scope changes
    EXCLUSIONS_NOTED = "exclusions_noted"


@dataclass(frozen=True)
class ConsentEvent:
    """One statement of consent. ``by`` is a role (``parent_carer``, ``young_person``), never a name.

    ``source`` is ``"form"`` for the assessment form itself; anything else (an
    officer id, ``document:<id>``) marks an event a triage officer recorded, which
    counts as confirmed.
    """

    kind: EventKind
    scopes: frozenset[Scope]
    on: dt.date | None
    by: str | None = None
    excluded_agencies: tuple[str, ...] = ()
    how_recorded: str | None = None
    source: str = FORM

    def __post_init__(self) -> None:
        if self.kind is EventKind.WITHDRAWN and self.on is None:
            raise ValueError("a withdrawal must say when it happened")
        if not self.scopes and self.kind is not EventKind.EXCLUSIONS_NOTED:
            raise ValueError("a consent event must name at least one scope")


@dataclass(frozen=True)
class ScopeState:
    """Where one scope stands: ``in_force`` True (given), False (refused/withdrawn), None (never asked)."""

    in_force: bool | None
    event: ConsentEvent | None

    @property
    def withdrawn(self) -> bool:
        return self.event is not None and self.event.kind is EventKind.WITHDRAWN


@dataclass(frozen=True)
class ConsentState:
    scopes: Mapping[Scope, ScopeState]
    excluded_agencies: tuple[str, ...]

    def __getitem__(self, scope: Scope) -> ScopeState:
        return self.scopes.get(scope, ScopeState(None, None))

    @property
    def information_sharing(self) -> bool | None:
        return self[Scope.INFORMATION_SHARING].in_force

    @property
    def panel_discussion(self) -> bool | None:
        return self[Scope.PANEL_DISCUSSION].in_force


def _sort_key(item: tuple[int, ConsentEvent]) -> tuple[dt.date, int]:
    index, event = item
    return (event.on or dt.date.min, index)


@dataclass(frozen=True)
class ConsentTimeline:
    events: tuple[ConsentEvent, ...] = ()

    def with_events(self, events: Iterable[ConsentEvent]) -> ConsentTimeline:
        return ConsentTimeline((*self.events, *events))

    def merge(self, other: ConsentTimeline | None) -> ConsentTimeline:
        return self if other is None else self.with_events(other.events)

    def confirmed(self, scope: Scope) -> bool:
        """Whether an officer recorded any event for ``scope`` (beyond what the form says)."""
        return any(e.source != FORM and scope in e.scopes for e in self.events)

    def consent_in_force(self, at: dt.datetime | dt.date) -> ConsentState:
        """Latest event per scope up to ``at`` (undated events count as earliest); all exclusions."""
        day = at.date() if isinstance(at, dt.datetime) else at
        latest: dict[Scope, ConsentEvent] = {}
        for _, event in sorted(enumerate(self.events), key=_sort_key):
            if event.on is not None and event.on > day:
                continue
            if event.kind is not EventKind.EXCLUSIONS_NOTED:
                for scope in event.scopes:
                    latest[scope] = event
        return ConsentState(
            scopes={s: ScopeState(e.kind is EventKind.GIVEN, e) for s, e in latest.items()},
            excluded_agencies=self.excluded_agencies,
        )

    @property
    def excluded_agencies(self) -> tuple[str, ...]:
        """Every organisation ever excluded, whatever its date: an exclusion is never dropped."""
        excluded: list[str] = []
        for event in self.events:
            excluded.extend(x for x in event.excluded_agencies if x not in excluded)
        return tuple(excluded)

    @classmethod
    def from_record(
        cls,
        record: Mapping[str, Any],
        *,
        information_sharing: bool | None = None,
        panel_discussion: bool | None = None,
    ) -> ConsentTimeline:
        """The form's consent as events; the keyword arguments are an officer's answers.

        An officer's answer replaces the form's box for that scope (and the event is
        then marked as recorded by an officer); the form's date, giver and exclusions
        are kept.
        """
        consent = record.get("consent") or {}
        on = parse_date(consent.get("date"))
        by = consent.get("given_by")
        excluded = tuple(x for x in consent.get("excluded_agencies") or [] if isinstance(x, str))
        events: list[ConsentEvent] = []
        for scope, form_value, officer in (
            (Scope.INFORMATION_SHARING, consent.get("information_sharing"), information_sharing),
            (Scope.PANEL_DISCUSSION, consent.get("panel_discussion"), panel_discussion),
        ):
            value = form_value if officer is None else officer
            if value is None:
                continue
            kind = EventKind.GIVEN if value else EventKind.REFUSED
            events.append(
                ConsentEvent(
                    kind,
                    frozenset({scope}),
                    on,
                    by=by,
                    excluded_agencies=excluded,
                    source=FORM if officer is None else "officer",
                )
            )
        if not events and excluded:
            events.append(
                ConsentEvent(
                    EventKind.EXCLUSIONS_NOTED, frozenset(), on, by=by, excluded_agencies=excluded
                )
            )
        return cls(tuple(events))


def parse_date(value: Any) -> dt.date | None:
    """An ISO date from the record, or None for anything else (the record may hold free text)."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
