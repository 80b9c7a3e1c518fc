"""Configuration: defaults, then ``MAPDOCS_*`` environment variables, then the mapping given to the factory.

:data:`DEFAULTS` is the one list of settings: every ``MAPDOCS_<NAME>`` the service reads
has its default there, with a comment on what it does, and the README's configuration
table says the same for operators (``tests/service/test_config_documented.py`` keeps
the code, this list and that table in step). Code reads a setting through
:func:`setting` (or a resolved ``app.config``), never from ``os.environ`` with a
fallback of its own, so a default cannot differ between two readers.

The *embedded default* is a deployment whose database and storage URLs are both left
at their defaults. There, missing secrets are generated once and kept in
``<data dir>/secrets.json`` (mode 0600) so ``mapdocs serve`` runs with no set-up. Any
other deployment must supply the three secrets: generating them silently would make a
second web process encrypt with a different key.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PREFIX = "MAPDOCS_"

#: every setting the application reads (``MAPDOCS_`` + key) with its default; None means
#: derived at start-up, generated on the embedded default, or simply not set
DEFAULTS: dict[str, Any] = {
    # --- storage, database, secrets ---------------------------------------------------------
    # where the embedded database, the file object store and generated secrets live
    "DATA_DIR": "./var",
    # SQLAlchemy URL; None: sqlite:///<data dir>/mapdocs.sqlite3
    "DATABASE_URL": None,
    # object store, file:///ABSOLUTE/PATH or s3://BUCKET/PREFIX; None: file://<data dir>/objects
    "STORAGE_URL": None,
    # Flask signing secret (generated on the embedded default, required elsewhere)
    "SECRET_KEY": None,
    # base64 of 32 bytes: the AES-256-GCM key of the file object store (generated or required)
    "ENCRYPTION_KEY": None,
    # HMAC secret deriving object keys from content, at least 16 bytes (generated or required)
    "KEY_SECRET": None,
    # S3-compatible endpoint (None: AWS), region and credentials of the s3:// store
    "S3_ENDPOINT_URL": None,
    "S3_REGION": None,
    "S3_ACCESS_KEY_ID": None,
    "S3_SECRET_ACCESS_KEY": None,
    # --- uploads and disclosure links -------------------------------------------------------
    # larger uploads are refused with 413 payload-too-large (25 MB)
    "MAX_UPLOAD_BYTES": 25 * 1024 * 1024,
    # lifetime of a disclosure link /l/<token> (7 days)
    "LINK_TTL_SECONDS": 7 * 24 * 3600,
    # base of disclosure link URLs; None: the request's host URL (the CLI then needs --base-url)
    "PUBLIC_BASE_URL": None,
    # --- background jobs (service.jobs.settings) --------------------------------------------
    # empty: the embedded SQLite broker in the data directory; else a redis:// or amqp:// URL
    "BROKER_URL": "",
    # queue (and Redis key prefix) the jobs use; distinct names keep deployments apart
    "JOB_QUEUE": "mapdocs",
    # worker processes; None: default_processes(), 2 or fewer on a machine with fewer cores
    "WORKER_CONCURRENCY": None,
    # seconds per task: the soft limit fails the job, the hard limit kills the worker process
    "JOB_SOFT_TIME_LIMIT": 300,
    "JOB_TIME_LIMIT": 360,
    # seconds (Redis only) a message taken by a dead worker stays hidden; above JOB_TIME_LIMIT
    "BROKER_VISIBILITY_TIMEOUT": 3600,
    # --- panels, packs and letters ----------------------------------------------------------
    # extra os.pathsep-separated directories of <slug>.profile.json / <slug>.panel.json files
    "PROFILES_DIR": "",
    # processes preparing originals for agenda packs; None: default_processes()
    "PACKS_WORKERS": None,
    # comma-separated panel slugs whose packs are mailed as attachments instead of links
    "PACKS_ATTACH_PANELS": "",
    # "plain": never start LibreOffice (agendas drawn without the Word template, documents kept as DOCX)
    "PACKS_AGENDA": "template",
    # --- outgoing mail (service.mail) -------------------------------------------------------
    # smtp://host:port or smtps://user:pass@host:465; None: mail is not configured
    "SMTP_URL": None,
    # sender address of outgoing mail
    "MAIL_FROM": None,
}

#: keys :func:`load_config` adds, computed from the settings above (not settings themselves)
DERIVED = ("EMBEDDED_DEFAULT", "ENCRYPTION_KEY_BYTES", "MAX_CONTENT_LENGTH")
_INTEGERS = ("MAX_UPLOAD_BYTES", "LINK_TTL_SECONDS")
_SECRETS = ("SECRET_KEY", "ENCRYPTION_KEY", "KEY_SECRET")
SECRETS_FILE = "secrets.json"
#: multipart framing around the file; the file itself is checked against MAX_UPLOAD_BYTES
MULTIPART_OVERHEAD = 256 * 1024


class ConfigError(Exception):
    """The configuration cannot start the service; the message names the setting, never its value."""


def setting(config: Mapping[str, Any], name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting: from ``config`` when it has the key, else the ``MAPDOCS_*`` environment; empty → default.

    A resolved ``app.config`` holds every setting, so its value (environment and
    overrides already applied) wins; the environment is read only for callers with a
    partial mapping or none (panels loaded at start-up, ``converter_or_none()`` from a
    command, tests), which then see exactly the default a running app would.
    """
    if name not in DEFAULTS:
        raise KeyError(f"{PREFIX}{name} is not in service.config.DEFAULTS")
    if name in config:
        value = config[name]
    else:
        value = (os.environ if environ is None else environ).get(PREFIX + name)
    return DEFAULTS[name] if value in (None, "") else value


def default_processes() -> int:
    """Processes of a pool whose setting is unset: two, or one on a single-core machine."""
    return min(2, os.cpu_count() or 1)


def _strip_prefix(key: str) -> str:
    return key[len(PREFIX):] if key.startswith(PREFIX) else key


def load_config(overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve the settings in order defaults → ``MAPDOCS_*`` environment → ``overrides``.

    Keys of ``overrides`` may be given with or without the ``MAPDOCS_`` prefix; other
    keys (``TESTING``…) pass through to Flask untouched.
    """
    environ = os.environ if environ is None else environ
    config: dict[str, Any] = dict(DEFAULTS)
    explicit: set[str] = set()
    for name in DEFAULTS:
        value = environ.get(PREFIX + name)
        if value not in (None, ""):
            config[name] = value
            explicit.add(name)
    for key, value in (overrides or {}).items():
        name = _strip_prefix(key)
        config[name] = value
        if name in DEFAULTS and value not in (None, ""):
            explicit.add(name)

    for name in _INTEGERS:
        try:
            config[name] = int(config[name])
        except (TypeError, ValueError):
            raise ConfigError(f"{PREFIX}{name} must be an integer") from None
        if config[name] <= 0:
            raise ConfigError(f"{PREFIX}{name} must be positive")

    data_dir = Path(str(config["DATA_DIR"])).expanduser().resolve()
    config["DATA_DIR"] = str(data_dir)
    embedded = "DATABASE_URL" not in explicit and "STORAGE_URL" not in explicit
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = f"sqlite:///{data_dir / 'mapdocs.sqlite3'}"
    if not config["STORAGE_URL"]:
        config["STORAGE_URL"] = f"file://{data_dir / 'objects'}"
    config["EMBEDDED_DEFAULT"] = embedded

    missing = [name for name in _SECRETS if not config.get(name)]
    if missing:
        if not embedded:
            names = ", ".join(PREFIX + name for name in missing)
            raise ConfigError(f"{names} must be set when the database or storage URL is configured")
        config.update({name: value for name, value in _embedded_secrets(data_dir).items()
                       if name in missing})
    config["ENCRYPTION_KEY_BYTES"] = decode_encryption_key(str(config["ENCRYPTION_KEY"]))
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] + MULTIPART_OVERHEAD
    return config


def decode_encryption_key(value: str) -> bytes:
    """The AES-256 key from its base64 text; exactly 32 bytes or a start-up error."""
    try:
        key = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ConfigError(f"{PREFIX}ENCRYPTION_KEY must be base64") from None
    if len(key) != 32:
        raise ConfigError(f"{PREFIX}ENCRYPTION_KEY must decode to 32 bytes")
    return key


def generate_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ENCRYPTION_KEY": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        "KEY_SECRET": secrets.token_urlsafe(32),
    }


def _embedded_secrets(data_dir: Path) -> dict[str, str]:
    """Read, or create once with mode 0600, the secrets of the embedded deployment.

    Created with ``O_EXCL`` so two processes starting together agree on one set.
    """
    path = data_dir / SECRETS_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            json.dump(generate_secrets(), out)
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        raise ConfigError(f"{path.name} in the data directory is unreadable; remove it to regenerate") \
            from None
    if not all(isinstance(stored.get(name), str) and stored[name] for name in _SECRETS):
        raise ConfigError(f"{path.name} in the data directory is incomplete; remove it to regenerate")
    return {name: stored[name] for name in _SECRETS}
