"""Load profiles and panels from data files in one or more directories.

The package's own ``profiles/`` directory comes first; each directory named in
``MAPDOCS_PROFILES_DIR`` (``os.pathsep``-separated) follows, and a later file with
the same slug replaces an earlier one. That is how a council adds or adjusts its
panel without code: drop ``<slug>.profile.json`` and/or ``<slug>.panel.json`` there.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from service.rules import model
from service.rules.agencies import normalise
from service.rules.errors import ProfileError, UnknownPanel
from service.rules.schemas import PanelSchema, ProfileSchema, flatten_errors

log = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).resolve().parent / "profiles"
PROFILE_SUFFIX = ".profile.json"
PANEL_SUFFIX = ".panel.json"


@dataclass(frozen=True)
class Catalogue:
    """Every configured profile and panel, keyed by slug."""

    profiles: Mapping[str, model.Profile]
    panels: Mapping[str, model.Panel]

    def panel(self, slug: str) -> model.Panel:
        try:
            return self.panels[slug]
        except KeyError:
            raise UnknownPanel(slug) from None

    def profile_for(self, panel: model.Panel | str) -> model.Profile:
        panel = self.panel(panel) if isinstance(panel, str) else panel
        return self.profiles[panel.profile]


def profile_dirs(extra: str = "") -> list[Path]:
    """The built-in directory followed by those in ``extra`` (``os.pathsep``-separated).

    ``extra`` is the value of ``MAPDOCS_PROFILES_DIR``, which the service reads and
    passes in (``service.panels``): this package reads no settings of its own.
    """
    return [BUILTIN_DIR, *(Path(p) for p in extra.split(os.pathsep) if p.strip())]


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path.name}: cannot be read ({type(exc).__name__}).") from None
    except json.JSONDecodeError as exc:
        raise ProfileError(
            f"{path.name}: not valid JSON (line {exc.lineno}, column {exc.colno})."
        ) from None


def _load(path: Path, schema: ProfileSchema | PanelSchema) -> Any:
    data = _read(path)
    if not isinstance(data, dict):
        raise ProfileError(f"{path.name}: must hold a JSON object.")
    try:
        value = schema.load(data)
    except ValidationError as exc:
        raise ProfileError(f"{path.name}: " + "; ".join(flatten_errors(exc.messages))) from None
    expected = path.name.removesuffix(PROFILE_SUFFIX).removesuffix(PANEL_SUFFIX)
    if value.slug != expected:
        raise ProfileError(f"{path.name}: slug: Must match the file name ({expected!r}).")
    return value


def _check_aliases(path_name: str, panel: model.Panel) -> None:
    """Two agencies answering to the same normalised name would make exclusions ambiguous."""
    owner: dict[str, str] = {}
    for i, agency in enumerate(panel.agencies):
        for j, name in enumerate((agency.name, *agency.aliases)):
            key = normalise(name)
            where = "name" if j == 0 else f"aliases[{j - 1}]"
            if not key:
                raise ProfileError(
                    f"{path_name}: agencies[{i}].{where}: Must contain letters or digits."
                )
            if owner.setdefault(key, agency.slug) != agency.slug:
                raise ProfileError(
                    f"{path_name}: agencies[{i}].{where}: "
                    f"Also names agency {owner[key]!r}; names must be unique."
                )


def load_catalogue(dirs: Iterable[Path] | None = None) -> Catalogue:
    """Validate every profile and panel file; raise ``ProfileError`` naming the first bad file and key.

    ``dirs`` defaults to the built-in profiles alone (``profile_dirs()``).
    """
    directories: Sequence[Path] = list(profile_dirs() if dirs is None else dirs)
    profiles: dict[str, model.Profile] = {}
    panels: dict[str, tuple[str, model.Panel]] = {}
    for directory in directories:
        if not directory.is_dir():
            raise ProfileError(f"{directory}: profile directory does not exist.")
        for path in sorted(directory.glob(f"*{PROFILE_SUFFIX}")):
            profile = _load(path, ProfileSchema())
            profiles[profile.slug] = profile
        for path in sorted(directory.glob(f"*{PANEL_SUFFIX}")):
            panel = _load(path, PanelSchema())
            _check_aliases(path.name, panel)
            panels[panel.slug] = (path.name, panel)
    for name, panel in panels.values():
        if panel.profile not in profiles:
            raise ProfileError(f"{name}: profile: No profile {panel.profile!r} is configured.")
    log.info("loaded %d profiles and %d panels", len(profiles), len(panels))
    return Catalogue(profiles=profiles, panels={slug: p for slug, (_, p) in panels.items()})
