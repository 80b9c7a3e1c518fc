"""Panels: the configured multi-agency meetings a referral is sent to, as data (``panels.json``).

Only slugs and display names for now; the checks issue adds each panel's rules and profile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PANELS_FILE = Path(__file__).resolve().parent / "panels.json"
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class PanelConfigError(Exception):
    """``panels.json`` is malformed; raised at start-up, never at request time."""


@dataclass(frozen=True)
class Panel:
    slug: str
    name: str


@cache
def load_panels(path: Path = PANELS_FILE) -> dict[str, Panel]:
    """Panels by slug, validated once: unique, well-formed slugs and non-empty names."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["panels"]
    except (OSError, ValueError, KeyError) as exc:
        raise PanelConfigError(f"cannot read {path.name}: {type(exc).__name__}") from None
    panels: dict[str, Panel] = {}
    for entry in entries:
        slug, name = entry.get("slug"), entry.get("name")
        if not isinstance(slug, str) or not _SLUG.fullmatch(slug):
            raise PanelConfigError(f"bad panel slug {slug!r} in {path.name}")
        if not isinstance(name, str) or not name.strip():
            raise PanelConfigError(f"panel {slug} has no name in {path.name}")
        if slug in panels:
            raise PanelConfigError(f"panel {slug} is listed twice in {path.name}")
        panels[slug] = Panel(slug=slug, name=name)
    return panels


def get_panel(slug: str) -> Panel | None:
    return load_panels().get(slug)
