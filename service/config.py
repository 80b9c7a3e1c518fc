"""Configuration: defaults, then ``MAPDOCS_*`` environment variables, then the mapping given to the factory.

``MAPDOCS_DATA_DIR`` (default ``./var``)
    where the embedded database, the file object store and generated secrets live.
``MAPDOCS_DATABASE_URL`` (default ``sqlite:///<data dir>/mapdocs.sqlite3``)
    SQLAlchemy URL; ``postgresql+psycopg://USER@HOST:5432/DB`` for PostgreSQL.
``MAPDOCS_STORAGE_URL`` (default ``file://<data dir>/objects``)
    object store: ``file:///ABSOLUTE/PATH`` or ``s3://BUCKET/PREFIX``.
``MAPDOCS_BROKER_URL`` (default empty: jobs run in the web process)
    Celery broker URL (kept now; used once background jobs arrive).
``MAPDOCS_SECRET_KEY`` (generated on the embedded default)
    Flask signing secret.
``MAPDOCS_ENCRYPTION_KEY`` (generated on the embedded default)
    base64 of 32 random bytes: the AES-256-GCM key of the file object store.
``MAPDOCS_KEY_SECRET`` (generated on the embedded default)
    HMAC secret deriving object keys from content (at least 16 bytes).
``MAPDOCS_MAX_UPLOAD_BYTES`` (default ``26214400``, 25 MB)
    larger uploads are refused with 413 ``payload-too-large``.
``MAPDOCS_S3_ENDPOINT_URL`` (default: AWS)
    S3-compatible endpoint, e.g. ``http://127.0.0.1:8333``.
``MAPDOCS_S3_REGION``, ``MAPDOCS_S3_ACCESS_KEY_ID``, ``MAPDOCS_S3_SECRET_ACCESS_KEY``
    S3 region and credentials.
``MAPDOCS_LINK_TTL_SECONDS`` (default ``604800``, 7 days)
    lifetime of a disclosure link ``/l/<token>``.
``MAPDOCS_PUBLIC_BASE_URL`` (default: the request's host URL)
    base of disclosure link URLs, e.g. ``https://mapdocs.example.gov.uk``.

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

#: every setting the application reads, with its default (None: derived or required)
DEFAULTS: dict[str, Any] = {
    "DATA_DIR": "./var",
    "DATABASE_URL": None,
    "STORAGE_URL": None,
    "BROKER_URL": "",
    "SECRET_KEY": None,
    "ENCRYPTION_KEY": None,
    "KEY_SECRET": None,
    "MAX_UPLOAD_BYTES": 25 * 1024 * 1024,
    "S3_ENDPOINT_URL": None,
    "S3_REGION": None,
    "S3_ACCESS_KEY_ID": None,
    "S3_SECRET_ACCESS_KEY": None,
    "LINK_TTL_SECONDS": 7 * 24 * 3600,
    "PUBLIC_BASE_URL": None,
}

_INTEGERS = ("MAX_UPLOAD_BYTES", "LINK_TTL_SECONDS")
_SECRETS = ("SECRET_KEY", "ENCRYPTION_KEY", "KEY_SECRET")
SECRETS_FILE = "secrets.json"
#: multipart framing around the file; the file itself is checked against MAX_UPLOAD_BYTES
MULTIPART_OVERHEAD = 256 * 1024


class ConfigError(Exception):
    """The configuration cannot start the service; the message names the setting, never its value."""


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
