"""Server-generated object keys.

Originals are stored content-addressed so that uploading the same form twice stores it once
(the service's database counts the rows pointing at a key). The key is an HMAC of the
content's SHA-256 under a server secret rather than the plain hash: anyone who can list the
bucket, but does not hold the secret, cannot confirm that a document they already have is
stored here. Rendered documents get random keys because they are never deduplicated.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from typing import BinaryIO

from storage.base import InvalidKey, StorageConfigError
from storage.naming import check_key

_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_NAMESPACE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
#: Shorter secrets make the HMAC guessable in practice; 32 random bytes is the intended size.
MIN_SECRET_BYTES = 16
_READ_CHUNK = 1024 * 1024


def sha256_hex(data: bytes | BinaryIO) -> str:
    """SHA-256 hex digest of ``data``; a stream is read to its end in 1 MiB chunks."""
    if isinstance(data, bytes | bytearray | memoryview):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    while chunk := data.read(_READ_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def content_key(content: bytes | str, *, secret: bytes, namespace: str = "originals") -> str:
    """Key for content-addressed storage: ``<namespace>/<h[:2]>/<h>``, ``h`` = HMAC-SHA256 hex.

    ``content`` is either the object's bytes or the hex SHA-256 of them (what an upload
    handler has after hashing a stream), so large uploads need not be held in memory.
    """
    if isinstance(content, str):
        if not _HEX_SHA256.fullmatch(content):
            raise InvalidKey("content digest must be 64 lower-case hex characters (SHA-256)")
        digest = bytes.fromhex(content)
    else:
        digest = hashlib.sha256(content).digest()
    if len(secret) < MIN_SECRET_BYTES:
        raise StorageConfigError(
            f"the storage key secret must be at least {MIN_SECRET_BYTES} random bytes (32 recommended)"
        )
    mac = hmac.new(secret, digest, hashlib.sha256).hexdigest()
    return check_key(f"{_namespace(namespace)}/{mac[:2]}/{mac}")


def random_key(namespace: str = "rendered", *, suffix: str = "") -> str:
    """A fresh unguessable key ``<namespace>/<r[:2]>/<r><suffix>`` (128 random bits)."""
    token = secrets.token_hex(16)
    return check_key(f"{_namespace(namespace)}/{token[:2]}/{token}{suffix}")


def _namespace(namespace: str) -> str:
    if not _NAMESPACE.fullmatch(namespace):
        raise InvalidKey("key namespace must be 1-32 characters of a-z, 0-9, '_' and '-'")
    return namespace
