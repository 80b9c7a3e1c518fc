"""Panels: the configured multi-agency meetings a referral is sent to.

One source of truth: the rules catalogue (``service/rules/profiles/*.panel.json`` plus
any directory in ``MAPDOCS_PROFILES_DIR``), validated once and cached for the process.
Upload, extraction and the checks all look panels up here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from service.config import setting
from service.rules import Catalogue, Panel, Profile, ProfileError, load_catalogue, profile_dirs

__all__ = ["Panel", "PanelConfigError", "catalogue", "get_panel", "get_profile", "load_panels"]

#: a malformed profile or panel file; raised at start-up, never at request time
PanelConfigError = ProfileError


@cache
def catalogue() -> Catalogue:
    """Every profile and panel, loaded and validated on first use."""
    return load_catalogue(configured_profile_dirs())


def configured_profile_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The built-in profiles, then each directory in ``MAPDOCS_PROFILES_DIR``.

    Read from the environment (``environ``, default ``os.environ``): panels are loaded
    once per process, before and apart from any app's configuration.
    """
    return profile_dirs(str(setting({}, "PROFILES_DIR", environ)))


def load_panels() -> Mapping[str, Panel]:
    return catalogue().panels


def get_panel(slug: str) -> Panel | None:
    return catalogue().panels.get(slug)


def get_profile(panel: Panel) -> Profile:
    return catalogue().profile_for(panel)
