"""Every ``MAPDOCS_*`` setting the code reads has one default (``service.config.DEFAULTS``) and a README row.

The source is scanned as text, so a setting added anywhere in the service without a
default and a line in the README's configuration table fails here, and so does a
module that reads ``os.environ`` with a fallback of its own instead of going through
``service.config``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service import create_app
from service.config import DEFAULTS, DERIVED, PREFIX, load_config, setting
from service.context import EXTENSION
from service.jobs.settings import job_settings
from service.mail import MailNotConfigured, mail_settings
from service.packs.operations import attach_panels, pack_workers
from service.panels import configured_profile_dirs
from service.rules.catalogue import BUILTIN_DIR

REPO = Path(__file__).resolve().parents[2]
#: the packages that make up the service (tests, bench/ and .ci/ have variables of their own)
PACKAGES = ("service", "storage", "extractors", "renderers")
NAME = re.compile(r"\bMAPDOCS_([A-Z][A-Z0-9_]*[A-Z0-9])\b")
#: variables the code reads that are test hooks, not deployment settings; extractors may not
#: import ``service``, so these stay in the module that uses them and are explained there
TEST_HOOKS = {
    "OCR_CACHE_DIR": "extractors/ocr/cache.py: one test session's OCR cache, unset in production",
    "ISOLATED_FAULT": "extractors/isolated.py: makes the extraction pool's child hang or crash",
}
TEST_HOOK_MODULES = {"extractors/ocr/cache.py", "extractors/isolated.py"}
#: a setting read by key: ``app.config["X"]``, ``settings.get("X")``, ``setting(config, "X")``…
KEY_READ = re.compile(r'\b(?:config|settings)(?:\.get\(|\[)"([A-Z][A-Z0-9_]*)"'
                      r'|\b_?(?:setting|_positive)\([^()]*?"([A-Z][A-Z0-9_]*)"')
#: reading the environment directly: only service/config.py (and the test hooks) may
ENVIRON_READ = re.compile(r"environ\.get\(|environ\[|getenv\(")


def _sources() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (REPO / package).rglob("*.py"))


def _names_in_code() -> dict[str, set[str]]:
    """Setting name → the files that mention ``MAPDOCS_<name>``."""
    found: dict[str, set[str]] = {}
    for path in _sources():
        for name in NAME.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(path.relative_to(REPO)))
    return found


def _names_in_readme_table() -> set[str]:
    """Names in the first column of the table under the README's "## Configuration" heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in NAME.findall(row.split("|")[1])}


def test_the_scan_finds_settings() -> None:
    """Guards the guard: a broken regex or path would make the tests below pass on nothing."""
    names = _names_in_code()
    assert {"DATABASE_URL", "BROKER_URL", "SMTP_URL", "PROFILES_DIR"} <= set(names)
    assert {"DATA_DIR", "JOB_QUEUE", "PACKS_AGENDA"} <= _names_in_readme_table()


def test_every_setting_named_in_the_code_has_a_default() -> None:
    missing = {f"{PREFIX}{name}": sorted(files) for name, files in _names_in_code().items()
               if name not in DEFAULTS and name not in TEST_HOOKS}
    assert missing == {}, "add these to service.config.DEFAULTS (with a comment) and the README"


def test_every_setting_read_by_key_has_a_default() -> None:
    """Names read from ``app.config`` or through ``setting()`` carry no ``MAPDOCS_`` prefix: scanned apart."""
    reads: dict[str, set[str]] = {}
    for path in _sources():
        for match in KEY_READ.finditer(path.read_text(encoding="utf-8")):
            reads.setdefault(match.group(1) or match.group(2), set()).add(str(path.relative_to(REPO)))
    assert {"JOB_QUEUE", "SMTP_URL", "PACKS_AGENDA", "PROFILES_DIR", "DATABASE_URL"} <= set(reads)
    unknown = {name: sorted(files) for name, files in reads.items()
               if name not in DEFAULTS and name not in DERIVED}
    assert unknown == {}, "settings read without a default in service.config.DEFAULTS"


def test_the_readme_table_lists_exactly_the_settings() -> None:
    documented = _names_in_readme_table()
    assert sorted(set(DEFAULTS) - documented) == [], "settings missing from the README configuration table"
    assert sorted(documented - set(DEFAULTS)) == [], "README rows for settings the code does not have"


def test_only_service_config_reads_the_environment() -> None:
    """Settings are read through ``service.config``, so no module has a default of its own."""
    readers = {str(path.relative_to(REPO)) for path in _sources()
               if ENVIRON_READ.search(path.read_text(encoding="utf-8"))}
    assert "service/config.py" in readers  # the scan sees a real reader
    assert sorted(readers - {"service/config.py", *TEST_HOOK_MODULES}) == []


def test_a_setting_not_in_defaults_cannot_be_read() -> None:
    with pytest.raises(KeyError, match="MAPDOCS_NO_SUCH_SETTING"):
        setting({}, "NO_SUCH_SETTING")


def test_partial_mappings_see_the_defaults_a_running_app_sees(tmp_path: Path) -> None:
    """Readers outside an app (panel loading, commands, tests) fall back to the same defaults."""
    resolved = load_config({"DATA_DIR": str(tmp_path)}, environ={})
    for name in DEFAULTS:
        if name not in ("DATA_DIR", "DATABASE_URL", "STORAGE_URL", "SECRET_KEY", "ENCRYPTION_KEY",
                        "KEY_SECRET"):  # derived or generated at start-up
            assert setting({}, name, environ={}) == resolved[name] == DEFAULTS[name], name


def test_the_environment_counts_only_where_the_mapping_lacks_the_setting() -> None:
    environ = {"MAPDOCS_JOB_QUEUE": "from-env"}
    assert setting({}, "JOB_QUEUE", environ) == "from-env"
    assert setting({"JOB_QUEUE": "from-config"}, "JOB_QUEUE", environ) == "from-config"
    assert setting({"JOB_QUEUE": ""}, "JOB_QUEUE", environ) == "mapdocs"  # empty: the default


def test_readers_elsewhere_use_those_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Job, mail, packs and panel settings given in the environment reach the code that uses them."""
    monkeypatch.setenv("MAPDOCS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MAPDOCS_JOB_QUEUE", "council-a")
    monkeypatch.setenv("MAPDOCS_WORKER_CONCURRENCY", "3")
    monkeypatch.setenv("MAPDOCS_PACKS_WORKERS", "5")
    monkeypatch.setenv("MAPDOCS_PACKS_ATTACH_PANELS", "barnet-map, generic")
    monkeypatch.setenv("MAPDOCS_SMTP_URL", "smtp://mail.example.invalid:2525")
    monkeypatch.setenv("MAPDOCS_MAIL_FROM", "panel@example.invalid")
    app = create_app({"TESTING": True})
    try:
        jobs = job_settings(app.config)
        assert (jobs.queue, jobs.concurrency) == ("council-a", 3)
        assert pack_workers(app.config) == 5
        assert attach_panels(app.config) == {"barnet-map", "generic"}
        assert mail_settings(app.config).port == 2525
    finally:
        app.extensions[EXTENSION].db.dispose()
    # set after start-up: panels are loaded (and cached) once per process
    monkeypatch.setenv("MAPDOCS_PROFILES_DIR", str(tmp_path / "profiles"))
    assert configured_profile_dirs() == [BUILTIN_DIR, tmp_path / "profiles"]


def test_unset_settings_fall_back_to_the_documented_defaults(tmp_path: Path) -> None:
    config = load_config({"DATA_DIR": str(tmp_path)}, environ={})
    jobs = job_settings(config)
    assert (jobs.queue, jobs.soft_time_limit, jobs.time_limit, jobs.visibility_timeout) == (
        DEFAULTS["JOB_QUEUE"], DEFAULTS["JOB_SOFT_TIME_LIMIT"], DEFAULTS["JOB_TIME_LIMIT"],
        DEFAULTS["BROKER_VISIBILITY_TIMEOUT"])
    assert 1 <= jobs.concurrency <= 2 and 1 <= pack_workers(config) <= 2
    assert attach_panels(config) == frozenset()
    with pytest.raises(MailNotConfigured):
        mail_settings(config, environ={})
    assert configured_profile_dirs({}) == [BUILTIN_DIR]
